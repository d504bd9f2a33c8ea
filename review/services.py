"""Driving a letter's review process from code: start it, move it on, cancel it,
and complete a task on behalf of a user (the task views and the demo data use these).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from applications.exceptions import NotPermitted, TransitionNotAllowed

from .models import LetterProcess

ACTIVE = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


def _flow():
    from .flows import LetterFlow

    return LetterFlow


def letter_process_start(*, letter) -> LetterProcess:
    """Start the review of a new letter: creates its process and a screening task."""
    return _flow().start.run(letter=letter)


def letter_open_task(*, letter, node_name: str | None = None):
    """The letter's open task (optionally of one node), or None."""
    process = LetterProcess.objects.filter(letter=letter).first()
    if process is None:
        return None
    tasks = process.task_set.filter(status__in=ACTIVE).order_by("pk")
    if node_name:
        node = getattr(_flow(), node_name)
        tasks = [task for task in tasks if task.flow_task == node]
    return next(iter(tasks), None)


def letter_process_resubmitted(*, letter) -> None:
    """The applicant resubmitted: the waiting process creates a new screening task."""
    task = letter_open_task(letter=letter, node_name="await_changes")
    if task is None:
        raise TransitionNotAllowed(_("This letter is not waiting for changes."))
    _flow().await_changes.run(task)


def letter_process_cancel(*, letter) -> None:
    """The letter was withdrawn: cancel its open tasks and close the process."""
    process = LetterProcess.objects.filter(letter=letter).first()
    if process is not None and process.finished is None:
        _flow().instance.cancel(process)


def task_assign(*, task, user) -> None:
    """Take an unassigned task (refused for the screener on a decision task)."""
    flow_class = _flow()
    with flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
        if not task.flow_task.can_assign(user, task):
            raise NotPermitted(_("You cannot take this task."))
        activation.assign(user)


def task_complete(*, task, user, action: Callable[[], object]):
    """Run ``action`` (an applications service) as the completion of ``task`` by ``user``.

    The task is taken for the user first if it is free. The service and the
    flow's next step commit together or not at all.
    """
    flow_class = _flow()
    with flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        if task.status == STATUS.NEW:
            if not task.flow_task.can_assign(user, task):
                raise NotPermitted(_("You cannot take this task."))
            task.flow_task.activation_class(task).assign(user)
            task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
        if not task.flow_task.can_execute(user, task):
            raise NotPermitted(_("This task is assigned to someone else."))
        activation.start(None)
        result = action()
        activation.execute()
    return result
