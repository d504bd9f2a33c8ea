"""Personal data of applicants who did not become members is not kept forever.

Rejected and withdrawn letters are anonymised ``RETENTION_MONTHS`` calendar
months (default 12) after they closed (``closed_at``, stored when they were
rejected or withdrawn; a later save does not restart the clock): contact
details and free text are erased, attachments deleted from storage, emails
blanked. What remains (constituency, country, dates, states) keeps the
statistics true.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_fsm_log.models import StateLog

from applications import events, uploads
from applications.choices import LetterStatus
from applications.members.services import months_before

from .models import Letter

CLOSED = (LetterStatus.REJECTED, LetterStatus.WITHDRAWN)


def letters_due_for_anonymisation(*, now=None):
    cutoff = months_before(now or timezone.now(), settings.RETENTION_MONTHS)
    return Letter.objects.filter(
        status__in=CLOSED, anonymised_at__isnull=True, closed_at__lte=cutoff
    )


def letter_anonymise(*, letter: Letter) -> Letter:
    """Erase what identifies the applicant of a closed letter.

    Before: the letter is rejected or withdrawn. Changes: contact details,
    names, website, free text and the answers to the extra questions blanked;
    revisions, notes and attachment rows deleted; emails blanked;
    ``anonymised_at`` set. Files are deleted from storage after commit. Sends
    nothing.
    """
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status not in CLOSED:
            raise ValueError("only rejected or withdrawn letters are anonymised")
        keys = list(letter.attachments.values_list("key", flat=True))
        letter.attachments.all().delete()
        letter.revisions.all().delete()
        StateLog.objects.for_(letter).update(description="")
        # Notifications blanks the emails about the letter (recipient, subject, bodies).
        events.emit("letter_anonymised", letter)
        Letter.objects.filter(pk=letter.pk).update(
            organisation_name=f"(anonymised letter {letter.pk})",
            acronym="",
            website="",
            contact_name="",
            contact_role="",
            contact_email=f"anonymised-{letter.pk}@invalid.example",
            care_work="",
            motivation="",
            answers=[],
            screening_note="",
            message_to_applicant="",
            decision_reason="",
            name_key="",
            website_domain="",
            email_domain="",
            anonymised_at=timezone.now(),
        )
        transaction.on_commit(lambda: uploads.delete_quietly(keys))
    letter.refresh_from_db()
    return letter


def anonymise_due(*, now=None) -> int:
    count = 0
    for letter in letters_due_for_anonymisation(now=now).order_by("pk"):
        letter_anonymise(letter=letter)
        count += 1
    return count


def applicant_data(*, letter: Letter) -> dict:
    """What the letter holds about its applicant (subject access), as JSON-ready
    values; the staff export adds the emails sent to them."""
    return {
        "letter": {
            **letter.content(),
            "status": letter.status,
            "submitted_at": letter.submitted_at,
            "decided_at": letter.decided_at,
            "onboarded_at": letter.onboarded_at,
            "message_to_applicant": letter.message_to_applicant,
            "decision_reason": letter.decision_reason,
        },
        "submissions": [
            {"number": rev.number, "sent_at": rev.created_at, "content": rev.data}
            for rev in letter.revisions.order_by("number")
        ],
        "attachments": [
            {
                "name": file.original_name,
                "size": file.size,
                "sha256": file.sha256,
                "uploaded_at": file.uploaded_at,
            }
            for file in letter.attachments.all()
        ],
        "history": [
            {"at": log.timestamp, "from": log.source_state, "to": log.state}
            for log in StateLog.objects.for_(letter).order_by("timestamp", "pk")
        ],
    }
