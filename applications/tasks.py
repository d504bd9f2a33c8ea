"""Daily retention run on the task worker."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from config.periodic import enqueue_unless_waiting

from .drafts.services import drafts_expire
from .letters.retention import anonymise_due
from .members.services import ended_member_contacts_erase
from .nominations import retention as nominations_retention
from .uploads import orphan_files_delete

INTERVAL = timedelta(days=1)


@task()
def retention_daily() -> int:
    """Anonymise the letters and nominations that are due, erase the contacts of
    members that ended long enough ago, delete the files a failed submission left
    behind, remind and delete saved letters, then schedule tomorrow's run."""
    count = anonymise_due() + nominations_retention.anonymise_due() + orphan_files_delete()
    count += drafts_expire()
    count += ended_member_contacts_erase()
    schedule_retention(run_after=timezone.now() + INTERVAL)
    return count


def schedule_retention(*, run_after=None) -> bool:
    return enqueue_unless_waiting(retention_daily, run_after=run_after)


SCAN_INTERVAL = timedelta(minutes=5)


@task()
def virus_scan_pending() -> dict:
    """Scan again the files whose virus scan is not done (clamd was down), then
    schedule the next run (applications/antivirus.py). Queued by
    ``manage.py virus_scan --schedule``."""
    from .antivirus import scan_pending

    counts = scan_pending()
    schedule_virus_scan(run_after=timezone.now() + SCAN_INTERVAL)
    return counts


def schedule_virus_scan(*, run_after=None) -> bool:
    return enqueue_unless_waiting(virus_scan_pending, run_after=run_after)
