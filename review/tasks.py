"""Work the task worker does on its own, once an hour: deadline reminders to staff,
onboarding reminders to new members, invitations to nominate when a call opens,
lapsing the nominations no nominee answered by the call's closing, and the
members' yearly re-confirmation (asked, reminded, followed up)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from applications.letters.services import onboarding_reminders_send
from applications.members.services import member_reconfirmations_send
from applications.nominations.services import call_invitations_send, nominations_lapse
from config.periodic import enqueue_unless_waiting

from .reminders import deadline_reminders_send

INTERVAL = timedelta(hours=1)
TASK_PATH = "review.tasks.deadline_reminders"


@task()
def deadline_reminders() -> int:
    """Send due reminders and invitations, lapse unanswered nominations, then
    schedule the next run in an hour."""
    count = deadline_reminders_send() + onboarding_reminders_send()
    count += call_invitations_send() + nominations_lapse()
    count += member_reconfirmations_send()
    schedule_deadline_reminders(run_after=timezone.now() + INTERVAL)
    return count


def schedule_deadline_reminders(*, run_after=None) -> bool:
    """Queue the reminder run unless one is already waiting. Returns True if queued."""
    return enqueue_unless_waiting(deadline_reminders, run_after=run_after)
