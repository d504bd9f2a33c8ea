"""Work the task worker does on its own: deadline reminders, once an hour."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

INTERVAL = timedelta(hours=1)
TASK_PATH = "review.tasks.deadline_reminders"


@task()
def deadline_reminders() -> int:
    """Send due reminders, then schedule the next run in an hour."""
    from .services import deadline_reminders_send

    count = deadline_reminders_send()
    schedule_deadline_reminders(run_after=timezone.now() + INTERVAL, exclude_running=True)
    return count


def schedule_deadline_reminders(*, run_after=None, exclude_running=False) -> bool:
    """Queue the reminder run unless one is already waiting. Returns True if queued."""
    waiting = DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    job = deadline_reminders
    if run_after is not None:
        job = job.using(run_after=run_after)
    job.enqueue()
    return True
