"""Nominations saved to finish later: sending a resumed one.

Saving, files and expiry are those of the letter form's drafts
(``applications.drafts.services``). A nomination's draft has its call and the
member whose nomination link it was saved from; the resume link goes to that
member's nomination contacts. Sending it is the normal ``nomination_submit`` (same
checks, same idempotency key) with the draft's kept files; the draft then goes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from applications.choices import NominationAttachmentKind
from applications.drafts.models import LetterDraft
from applications.drafts.services import draft_delete, draft_files_as_new, draft_kept_files
from applications.uploads import NewFile

from . import services
from .models import Nomination

# A nomination has one CV and one endorsement: a new one replaces the kept one.
SINGLE_KINDS = (NominationAttachmentKind.CV, NominationAttachmentKind.ENDORSEMENT)
QUESTION = NominationAttachmentKind.QUESTION


def nomination_draft_submit(
    *,
    draft: LetterDraft,
    data: dict,
    files: Iterable[NewFile] = (),
    keep: Iterable[int] = (),
    idempotency_key=None,
    answers=(),
) -> Nomination:
    """Send a resumed draft as a nomination of its member in its call.

    Before: ``data`` and ``files`` passed the nomination form's checks; ``keep``
    names the draft's files that go with it (a new CV or endorsement replaces the
    kept one). Changes: what ``nomination_submit`` changes; the draft and its files
    deleted. Sends: what ``nomination_submit`` sends.
    """
    files = list(files)
    kept = draft_kept_files(draft, keep=keep, new_files=files, single_kinds=SINGLE_KINDS)
    with transaction.atomic():
        nomination = services.nomination_submit(
            call=draft.call,
            nominated_by=draft.nominated_by,
            data=data,
            files=[*draft_files_as_new(kept, question_kind=QUESTION), *files],
            idempotency_key=idempotency_key,
            answers=answers,
        )
        draft_delete(draft)
    return nomination
