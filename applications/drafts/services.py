"""Saving, keeping and expiring drafts of the letter and nomination forms.

A draft is what the form posted, with the files it carried that passed the upload
checks, stored privately like every attachment. Each save emails a signed link to
resume it (``links.draft_url``): to the letter's contact, or to the nominating
member's nomination contacts. It is not a letter nor a nomination: it has no review
process, sends no staff email and is in no list. A draft is kept
``DRAFT_EXPIRY_DAYS`` after it was last saved; ``drafts_expire`` (the daily
retention run) reminds ``REMINDER_DAYS`` before and deletes it with its files once
expired. Events: ``letter_draft_saved``/``_expiring`` or ``nomination_draft_…``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import events, uploads
from applications.questions.models import FIELD_PREFIX
from applications.uploads import CheckedFile, NewFile

from .models import DraftFile, LetterDraft

REMINDER_DAYS = 3
# What a draft does not keep of the form's POST: the token, the honeypot, the buttons,
# the idempotency key (each page gets its own), the kept-file checkboxes.
NOT_KEPT = frozenset(
    {"csrfmiddlewaretoken", "save_draft", "keep_file", "idempotency_key", "submit"}
)


def draft_get(public_id, *, nomination: bool = False) -> LetterDraft | None:
    """The draft of a resume link (of that form), or None if it is gone or expired."""
    return LetterDraft.objects.filter(
        public_id=public_id, expires_at__gt=timezone.now(), call__isnull=not nomination
    ).first()


def posted_data(post, *, ignore: Iterable[str] = ()) -> dict[str, list[str]]:
    """The form's answers as the draft keeps them: {field: [values]}.

    NUL characters are dropped: no form field keeps one, and PostgreSQL's JSON
    cannot store them (the save answered 500)."""
    skip = NOT_KEPT | set(ignore)
    return {
        name: [value.replace("\x00", "") for value in post.getlist(name)]
        for name in post
        if name not in skip
    }


def draft_save(
    *,
    draft: LetterDraft | None,
    data: dict[str, list[str]],
    contact_email: str,
    language: str,
    files: Iterable[NewFile] = (),
    keep: Iterable[int] = (),
    single_kinds: Iterable[str] = ("signed_letter",),
    call=None,
    nominated_by=None,
    contact_name: str = "",
    organisation_name: str = "",
) -> LetterDraft:
    """Save the letter or nomination form as it is, to finish later.

    Before: ``contact_email`` is a valid address; every file was checked by
    ``uploads.check_upload``; ``keep`` names the draft's files to keep (the others
    go; a new file of one of ``single_kinds``, e.g. a new signed letter, replaces
    the kept one of its kind). A nomination's draft has its ``call`` and the member
    ``nominated_by``. Changes: a new draft, or ``draft`` updated: its answers,
    files, ``saves`` + 1, and its expiry ``DRAFT_EXPIRY_DAYS`` from now (a reminder
    already sent may be sent again). Sends: the link to resume it. If storage fails,
    nothing is saved (``StorageUnavailable``).
    """
    files = list(files)
    now = timezone.now()
    with uploads.atomic_with_files() as stored:
        stored.start(files)  # uploading while the draft's rows are written
        if draft is None:
            draft = LetterDraft(call=call, nominated_by=nominated_by)
        else:
            draft = LetterDraft.objects.select_for_update().get(pk=draft.pk)
        draft.contact_email = contact_email
        draft.contact_name = (contact_name or (data.get("contact_name") or [""])[0])[:150]
        draft.organisation_name = (organisation_name or (data.get("organisation_name") or [""])[0])[
            :200
        ]
        draft.language = language
        draft.data = data
        draft.saves += 1
        draft.saved_at = now
        draft.expires_at = now + timedelta(days=settings.DRAFT_EXPIRY_DAYS)
        draft.reminded_at = None
        draft.save()
        dropped = draft.files.exclude(pk__in=list(keep))
        replaced = {new.kind for new in files} & set(single_kinds)
        if replaced:
            dropped = dropped | draft.files.filter(kind__in=replaced)
        keys = list(dropped.values_list("key", flat=True))
        DraftFile.objects.filter(key__in=keys).delete()
        stored.store(
            files,
            refused=_(
                "We could not store your file just now. Nothing was saved and your "
                "answers are kept below: please attach the file again and retry in a "
                "few minutes."
            ),
            record=lambda new, key: DraftFile.objects.create(draft=draft, **new.row_fields(key)),
        )
        transaction.on_commit(lambda: uploads.delete_quietly(keys))
        event = "letter_draft_saved"
        if draft.call_id:
            event = "nomination_draft_saved"
        events.emit(event, draft, nonce=str(draft.saves))
    return draft


def draft_kept_files(draft: LetterDraft, *, keep: Iterable[int], new_files, single_kinds=()):
    """The draft's files that go with the submission: those kept, less any of a
    ``single_kinds`` kind that a new file replaces."""
    kept = draft.files.filter(pk__in=list(keep))
    replaced = {new.kind for new in new_files} & set(single_kinds)
    if replaced:
        kept = kept.exclude(kind__in=replaced)
    return kept


def draft_files_as_new(files: Iterable[DraftFile], *, question_kind: str) -> list[NewFile]:
    """The draft's stored files, as files the submission stores again; a file that
    answered an extra question (its kind is the field's name) as ``question_kind``."""
    storage = uploads.attachments_storage()
    new = []
    for stored in files:
        with storage.open(stored.key, "rb") as handle:
            content = ContentFile(handle.read(), name=stored.original_name)
        extension = os.path.splitext(stored.original_name)[1].lstrip(".") or "pdf"
        checked = CheckedFile(
            upload=content,
            extension=extension,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            safe_name=stored.original_name,
        )
        kind = question_kind if stored.kind.startswith(FIELD_PREFIX) else stored.kind
        new.append(NewFile(kind, checked))
    return new


def draft_delete(draft: LetterDraft) -> None:
    """Delete the draft and, after commit, its files (it was sent, or it expired)."""
    keys = list(draft.files.values_list("key", flat=True))
    draft.delete()
    transaction.on_commit(lambda: uploads.delete_quietly(keys))


def drafts_expire(*, now=None) -> int:
    """Remind the drafts that expire within ``REMINDER_DAYS``, delete the expired.

    Before: none. Changes: ``reminded_at`` of the drafts reminded; expired drafts
    and their rows deleted, their files deleted from storage after commit. Sends:
    one reminder per draft and save, with its resume link. Returns how many
    drafts were reminded or deleted.
    """
    now = now or timezone.now()
    count = 0
    soon = LetterDraft.objects.filter(
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=REMINDER_DAYS),
    )
    for draft in soon.order_by("pk"):
        with transaction.atomic():
            LetterDraft.objects.filter(pk=draft.pk).update(reminded_at=now)
            event = "letter_draft_expiring"
            if draft.call_id:
                event = "nomination_draft_expiring"
            events.emit(event, draft, nonce=f"{draft.saves}")
        count += 1
    for draft in LetterDraft.objects.filter(expires_at__lte=now).order_by("pk"):
        with transaction.atomic():
            draft_delete(draft)
        count += 1
    return count
