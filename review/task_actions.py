"""Taking and completing a staff task for a user: bulk assign, the demo data and
anything else that completes a task from code.

No flow class is imported: each task knows its node and flow
(``task.flow_task.flow_class``), so the views can use this module without
importing ``flows.py`` (which imports the views).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from applications.exceptions import NotPermitted


def task_assign(*, task, user) -> None:
    """Take an unassigned task (refused for the screener on a decision task)."""
    flow_class = task.flow_task.flow_class
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
    flow_class = task.flow_task.flow_class
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
