"""Periodic jobs on the django-tasks worker: each run queues the next one."""

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def enqueue_unless_waiting(task, *, run_after=None) -> bool:
    """Queue ``task`` unless a run of it is already waiting. Returns True if queued."""
    waiting = DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue()
    return True
