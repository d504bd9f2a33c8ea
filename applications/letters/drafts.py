"""Letters saved to finish later: sending a resumed one.

Saving, files and expiry are shared with the nomination form
(``applications.drafts.services``). Submitting a resumed draft is the normal
``letter_submit`` (same checks, same idempotency key), with the draft's kept files
among the letter's; the draft then goes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from applications.choices import AttachmentKind
from applications.drafts.models import LetterDraft
from applications.drafts.services import draft_delete, draft_files_as_new, draft_kept_files
from applications.uploads import NewFile

from . import services
from .models import Letter

# A new file of these kinds replaces the kept one: a letter has one signed letter.
SINGLE_KINDS = (AttachmentKind.SIGNED_LETTER,)


def draft_submit(
    *,
    draft: LetterDraft,
    data: dict,
    files: Iterable[NewFile] = (),
    keep: Iterable[int] = (),
    idempotency_key=None,
    answers=(),
) -> Letter:
    """Send a resumed draft as a letter.

    Before: ``data`` and ``files`` passed the letter form's checks, as for
    ``letter_submit``; ``keep`` names the draft's files that go with the letter
    (a new signed letter replaces the kept one). Changes: what ``letter_submit``
    changes; the draft and its files deleted. Sends: what ``letter_submit`` sends.
    """
    files = list(files)
    kept = draft_kept_files(draft, keep=keep, new_files=files, single_kinds=SINGLE_KINDS)
    with transaction.atomic():
        letter = services.letter_submit(
            data=data,
            files=[*draft_files_as_new(kept, question_kind=AttachmentKind.QUESTION), *files],
            idempotency_key=idempotency_key,
            answers=answers,
        )
        draft_delete(draft)
    return letter
