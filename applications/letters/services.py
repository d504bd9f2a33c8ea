"""Writes on letters. One service per transition, always in the same order:
lock the row, check the transition, apply it, save, audit, then announce it
with one ``events.emit(...)``: notifications queues the emails and review moves
the letter's process, inside the same transaction (see ``applications.events``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from applications import events, transitions, uploads
from applications.choices import AttachmentKind, LetterStatus, Recommendation
from applications.configuration.selectors import onboarding_reminder_days
from applications.exceptions import StorageUnavailable, TransitionNotAllowed
from applications.members import services as members
from applications.uploads import NewFile

from .models import LETTER_CONTENT_FIELDS, Attachment, Letter, LetterRevision, OnboardingChecklist
from .selectors import letter_matches, letters_for_email


def _lock(letter: Letter) -> Letter:
    return transitions.lock(letter)


def _check(letter: Letter, method, by) -> None:
    transitions.check(
        letter,
        method,
        by,
        refused=_("This letter is now “%(status)s”, so this step is no longer possible."),
    )


_last_log = transitions.last_log


def _store_files(letter: Letter, files: Iterable[NewFile], stored: uploads.StoredFiles) -> None:
    stored.store(
        files,
        refused=_(
            "We could not store your file just now. Nothing was submitted and your "
            "answers are kept below: please attach the file again and retry in a "
            "few minutes."
        ),
        record=lambda new, key: Attachment.objects.create(
            letter=letter, revision=letter.revision, **new.row_fields(key)
        ),
    )


def _record_revision(letter: Letter) -> None:
    """Snapshot what the applicant sent and count possible duplicates."""
    LetterRevision.objects.create(letter=letter, number=letter.revision, data=letter.content())
    letter.duplicate_count = len(letter_matches(letter))
    Letter.objects.filter(pk=letter.pk).update(duplicate_count=letter.duplicate_count)


def letter_submit(
    *, data: dict, files: Iterable[NewFile] = (), idempotency_key=None, answers=()
) -> Letter:
    """Create a letter from the public form and start its review.

    Before: ``data`` holds the cleaned fields of the letter form; every file was
    checked by ``uploads.check_upload``; ``answers`` are the extra questions'
    (``QuestionFieldsMixin.answers``), stored with the letter. A second call with the same
    ``idempotency_key`` (a double click) returns the first letter unchanged.
    Changes: a letter in ``submitted`` with its attachments and an audit row;
    a review process with a screening task. Sends: "received" to the applicant
    and "new letter" to the secretariat. If storage fails, nothing is kept.
    """
    if idempotency_key:
        existing = Letter.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    files = list(files)
    try:
        with uploads.atomic_with_files() as stored:
            stored.start(files)  # uploading while the letter's rows are written
            letter = Letter(idempotency_key=idempotency_key, answers=list(answers))
            for field in LETTER_CONTENT_FIELDS:
                setattr(letter, field, data[field])
            letter.save()
            log = StateLog.objects.create(
                content_type=ContentType.objects.get_for_model(Letter),
                object_id=letter.pk,
                source_state=None,
                state=LetterStatus.SUBMITTED,
                transition="submit",
            )
            _record_revision(letter)
            _store_files(letter, files, stored)
            events.emit("letter_submitted", letter, log=log)
    except IntegrityError:
        existing = Letter.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing:
            return existing
        raise
    return letter


def letter_resubmit(
    *, letter: Letter, data: dict, files: Iterable[NewFile] = (), answers=None
) -> Letter:
    """Apply the applicant's changes and send the letter back to screening.

    Before: the letter is in ``changes_requested``. Changes: the content fields
    (and the extra questions' ``answers``, if given), ``revision`` + 1, new
    attachments, state ``submitted``; the waiting review
    process moves on to a new screening task. Sends: confirmation to the
    applicant and "resubmitted" to the secretariat.
    """
    files = list(files)
    with uploads.atomic_with_files() as stored:
        letter = _lock(letter)
        _check(letter, letter.resubmit, None)
        stored.start(files)
        for field in LETTER_CONTENT_FIELDS:
            setattr(letter, field, data[field])
        if answers is not None:
            letter.answers = list(answers)
        letter.revision += 1
        letter.resubmit(description=_("Resubmitted with changes"))
        letter.save()
        log = _last_log(letter)
        _record_revision(letter)
        _store_files(letter, files, stored)
        events.emit("letter_resubmitted", letter, log=log)
    return letter


def letter_screen(
    *,
    letter: Letter,
    by,
    recommendation: str,
    note: str = "",
    message: str = "",
    checklist: dict | None = None,
) -> Letter:
    """Record the secretariat's screening with a recommendation to the committee.

    Before: the letter is ``submitted``; ``by`` may screen. Changes: state
    ``reviewed``, the screener, the recommendation, the internal note and the
    optional message. Sends: "screened" to the applicant, "ready for decision"
    to the committee.
    """
    if recommendation not in Recommendation.values:
        raise TransitionNotAllowed(_("Choose a recommendation."))
    with transaction.atomic():
        letter = _lock(letter)
        _check(letter, letter.screen, by)
        letter.screened_by = by
        letter.recommendation = recommendation
        letter.screening_checklist = checklist or {}
        letter.screening_note = note
        letter.message_to_applicant = message
        letter.screen(by=by, description=note)
        letter.save()
        events.emit("letter_reviewed", letter, log=_last_log(letter), by=by)
    return letter


def letter_request_changes(
    *, letter: Letter, by, message: str, note: str = "", checklist: dict | None = None
) -> Letter:
    """Send the letter back to the applicant with a message saying what to change.

    Before: the letter is ``submitted``; ``by`` may screen; ``message`` is not
    empty. Changes: state ``changes_requested``, the screener, the message.
    Sends: "changes requested" with the message and the status link.
    """
    if not message.strip():
        raise TransitionNotAllowed(_("Write a message telling the applicant what to change."))
    with transaction.atomic():
        letter = _lock(letter)
        _check(letter, letter.request_changes, by)
        letter.screened_by = by
        letter.screening_checklist = checklist or {}
        letter.screening_note = note
        letter.message_to_applicant = message
        letter.request_changes(by=by, description=note or message)
        letter.save()
        events.emit("letter_changes_requested", letter, log=_last_log(letter), by=by)
    return letter


def letter_check_can_decide(*, letter: Letter, by) -> None:
    """Raise if ``by`` may not decide ``letter`` now (four-eyes, role, state)."""
    transitions.check_can_decide(
        letter,
        by,
        permission="applications.decide_letter",
        already_decided=_("This letter was already decided by %(name)s on %(date)s."),
        screened=_(
            "You screened this letter, so another committee member must decide it (four-eyes rule)."
        ),
        not_permitted=_("Only committee approvers can decide on letters."),
    )


def letter_decide(*, letter: Letter, by, approve: bool, reason: str = "") -> Letter:
    """Approve or reject a screened letter.

    Before: the letter is ``reviewed``; ``by`` is a committee approver who did
    not screen it; a rejection has a reason. Changes: state ``approved`` (and a
    member organisation, not yet listed) or ``rejected`` (and ``closed_at``, the
    retention clock); who decided and when.
    Sends: the decision to the applicant (a rejection with its reason) and, on
    approval, "ready for onboarding" to the secretariat.
    """
    if not approve and not reason.strip():
        raise TransitionNotAllowed(_("Give the reason for the rejection; the applicant reads it."))
    with transaction.atomic():
        letter = _lock(letter)
        letter_check_can_decide(letter=letter, by=by)
        if approve:
            _check(letter, letter.approve, by)
            letter.organisation = members.member_create(
                name=letter.organisation_name,
                acronym=letter.acronym,
                constituency=letter.constituency,
                country=letter.country,
                website=letter.website,
                description=letter.care_work,
                contact_email=letter.contact_email,
                contact_name=letter.contact_name,
                language=letter.language,
                priority_areas=letter.priority_areas,
            )
            letter.approve(by=by, description=reason)
            event = "letter_approved"
        else:
            _check(letter, letter.reject, by)
            letter.reject(by=by, description=reason)
            letter.closed_at = timezone.now()
            event = "letter_rejected"
        letter.decided_by = by
        letter.decided_at = timezone.now()
        letter.decision_reason = reason
        letter.save()
        events.emit(event, letter, log=_last_log(letter), by=by)
    return letter


def letter_onboard(
    *, letter: Letter, by, note: str = "", public_listing: bool | None = None
) -> Letter:
    """Make an approved organisation a member listed in the directory.

    Before: the letter is ``approved``; ``by`` may onboard. Changes: state
    ``onboarded``; the organisation's join date, and its public listing if the
    applicant consented. Sends: the welcome and onboarding email to the new member.
    """
    with transaction.atomic():
        letter = _lock(letter)
        _check(letter, letter.onboard, by)
        letter.onboard(by=by, description=note)
        letter.onboarded_at = timezone.now()
        letter.save()
        members.member_admit(
            organisation=letter.organisation,
            public_listing=letter.consent_public_listing
            if public_listing is None
            else public_listing,
        )
        events.emit("letter_onboarded", letter, log=_last_log(letter), by=by)
    return letter


def member_onboarding_complete(*, letter: Letter, data: dict) -> Letter:
    """The new member completes its onboarding checklist through its signed link.

    Before: the letter is ``approved``. Changes: the checklist (brand manual
    acknowledged, contacts, communities of practice), the directory profile
    (name, description, website, listing), state ``onboarded``; the review's
    onboarding task is closed. Sends: the welcome email.
    """
    with transaction.atomic():
        letter = _lock(letter)
        if letter.status == LetterStatus.ONBOARDED:
            raise TransitionNotAllowed(_("This onboarding checklist was already completed."))
        _check(letter, letter.onboard, None)
        OnboardingChecklist.objects.update_or_create(
            letter=letter,
            defaults={
                "brand_manual_acknowledged": data.get("brand_manual_acknowledged", False),
                "contacts": data["contacts"],
                "communities": data["communities"],
                "completed_at": timezone.now(),
            },
        )
        logo_key = None
        if data.get("logo"):
            try:
                logo_key = uploads.store_logo(data["logo"])
            except (OSError, BotoCoreError, ClientError) as exc:
                raise StorageUnavailable(
                    _("We could not store your logo just now. Please try again in a few minutes.")
                ) from exc
        members.member_profile_update(
            organisation=letter.organisation,
            name=data["name"],
            description=data["description"],
            website=data["website"],
            logo_key=logo_key,
        )
        letter = letter_onboard(
            letter=letter,
            by=None,
            note=_("Onboarding checklist completed by the member"),
            public_listing=data["public_listing"],
        )
        events.emit("letter_onboarding_completed", letter)
    return letter


def onboarding_reminders_send(*, now=None) -> int:
    """Remind new members who have not completed onboarding, on the days after
    approval that the Secretariat set (7 and 21 by default).

    Each reminder goes once (the outbox key carries the day count). Returns
    the number of emails queued.
    """
    now = now or timezone.now()
    queued = 0
    for days in onboarding_reminder_days():
        due = Letter.objects.filter(
            status=LetterStatus.APPROVED, decided_at__lte=now - timedelta(days=days)
        )
        for letter in due.order_by("pk"):
            with transaction.atomic():
                queued += len(
                    events.emit("letter_onboarding_reminder", letter, nonce=f"onboarding-{days}")
                )
    return queued


def letter_withdraw(*, letter: Letter, reason: str = "") -> Letter:
    """The applicant withdraws a letter that is not yet decided.

    Before: the letter is ``submitted``, ``changes_requested`` or ``reviewed``.
    Changes: state ``withdrawn``, ``closed_at``; open review tasks are cancelled. Sends: a
    confirmation to the applicant and a note to the secretariat.
    """
    with transaction.atomic():
        letter = _lock(letter)
        _check(letter, letter.withdraw, None)
        letter.withdraw(description=reason or _("Withdrawn by the applicant"))
        letter.closed_at = timezone.now()
        letter.save()
        events.emit("letter_withdrawn", letter, log=_last_log(letter))
    return letter


def letter_status_links_send(*, email: str) -> None:
    """Email fresh status links for the letters sent from ``email``.

    Before: nothing; an unknown address gets nothing, and the caller answers
    the same either way. Changes: nothing. Sends: a status link for each
    letter of that contact (at most 10), at most once an hour per letter.
    """
    nonce = timezone.now().strftime("%Y%m%d%H")
    with transaction.atomic():
        for letter in letters_for_email(email)[:10]:
            events.emit("letter_status_link", letter, nonce=f"link-{nonce}")


__all__ = [
    "AttachmentKind",
    "NewFile",
    "letter_status_links_send",
    "letter_submit",
    "letter_resubmit",
    "letter_screen",
    "letter_request_changes",
    "letter_check_can_decide",
    "letter_decide",
    "letter_onboard",
    "letter_withdraw",
]
