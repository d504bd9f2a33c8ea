"""The app's tasks on the django-tasks worker.

The send tasks are the outbox engine's own (``notifications.outbox``); they are
named here as well, because tasks queued before they moved there carry this
module's path (``notifications.tasks.send_outbox``) and the worker finds them by it.
"""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from config.periodic import enqueue_unless_waiting

from .outbox import send_outbox, send_outbox_message
from .services import digests_send

__all__ = ["daily_digests", "send_outbox", "send_outbox_message"]


@task()
def daily_digests() -> int:
    """Send the staff digests, then schedule tomorrow's run."""
    count = digests_send()
    enqueue_unless_waiting(daily_digests, run_after=timezone.now() + timedelta(days=1))
    return count
