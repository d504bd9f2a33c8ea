"""Personal data of nominees who did not join the committee is not kept forever.

Declined, lapsed, rejected and withdrawn nominations are anonymised
``RETENTION_MONTHS`` calendar months (default 12) after they closed
(``closed_at``, stored when they closed): the nominee's name, address,
position, motivation and answers and the staff's notes are erased, the CV and
endorsement files deleted, the emails about the nomination blanked. What
remains (call, constituency, member organisations, dates, states) keeps the
results and statistics true.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_fsm_log.models import StateLog

from applications import events, uploads
from applications.choices import NominationStatus
from applications.members.services import months_before

from .models import Nomination

CLOSED = (
    NominationStatus.DECLINED,
    NominationStatus.LAPSED,
    NominationStatus.REJECTED,
    NominationStatus.WITHDRAWN,
)


def nominations_due_for_anonymisation(*, now=None):
    cutoff = months_before(now or timezone.now(), settings.RETENTION_MONTHS)
    return Nomination.objects.filter(
        status__in=CLOSED, anonymised_at__isnull=True, closed_at__lte=cutoff
    )


def nomination_anonymise(*, nomination: Nomination) -> Nomination:
    """Erase what identifies the nominee of a closed nomination.

    Before: declined, lapsed, rejected or withdrawn. Changes: the nominee's
    name, address, position, motivation and answers, the screening note,
    checklist and decision reason blanked; transition notes blanked; attachment
    rows deleted (their files after commit); emails blanked; ``anonymised_at``.
    Sends nothing.
    """
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status not in CLOSED:
            raise ValueError("only closed nominations are anonymised")
        keys = list(nomination.attachments.values_list("key", flat=True))
        nomination.attachments.all().delete()
        StateLog.objects.for_(nomination).update(description="")
        # Notifications blanks the emails about the nomination (recipient, subject, bodies).
        events.emit("nomination_anonymised", nomination)
        Nomination.objects.filter(pk=nomination.pk).update(
            nominee_name=f"(anonymised nominee {nomination.pk})",
            nominee_email=f"anonymised-nominee-{nomination.pk}@invalid.example",
            nominee_position="",
            motivation="",
            answers=[],
            screening_note="",
            screening_checklist={},
            decision_reason="",
            anonymised_at=timezone.now(),
        )
        transaction.on_commit(lambda: uploads.delete_quietly(keys))
    return Nomination.objects.get(pk=nomination.pk)


def anonymise_due(*, now=None) -> int:
    count = 0
    for nomination in nominations_due_for_anonymisation(now=now).order_by("pk"):
        nomination_anonymise(nomination=nomination)
        count += 1
    return count
