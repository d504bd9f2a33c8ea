"""What the letter and nomination pages do alike when a draft is saved."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import formats, timezone

from applications.exceptions import StorageUnavailable
from applications.links import draft_path


def saved_or_refused(request, form, *, save, saved_message):
    """Save a draft with ``save()`` and send the visitor to it, saying until when
    its link works (``saved_message(draft, until)``); if the store is down, put the
    reason on the form and return None: the caller shows the form again."""
    try:
        draft = save()
    except StorageUnavailable as error:
        form.add_error(None, error.message)
        return None
    until = formats.date_format(timezone.localtime(draft.expires_at), "DATE_FORMAT")
    messages.success(request, saved_message(draft, until))
    return redirect(draft_path(draft))
