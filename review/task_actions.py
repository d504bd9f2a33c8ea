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


def refusal_to_take(*, task, user) -> str:
    """Why ``user`` may not take ``task``, in words they can act on."""
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED):
        return _("This task is already completed.")
    if task.owner_id == user.pk:
        return _("This task is already yours.")
    if task.owner_id:
        who = task.owner.get_full_name() or task.owner.get_username()
        return _("This task is assigned to %(who)s.") % {"who": who}
    if task.owner_permission and not user.has_perm(task.owner_permission):
        return _("Your role does not include this task.")
    if task.flow_task.name == "decide":
        return _("You screened it: another committee member decides (four-eyes rule).")
    return _("You cannot take this task.")


def task_assign(*, task, user) -> None:
    """Take an unassigned task (refused for the screener on a decision task), or say
    why not (``refusal_to_take``)."""
    flow_class = task.flow_task.flow_class
    with flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
        if not task.flow_task.can_assign(user, task):
            raise NotPermitted(refusal_to_take(task=task, user=user))
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
                raise NotPermitted(refusal_to_take(task=task, user=user))
            task.flow_task.activation_class(task).assign(user)
            task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
        if not task.flow_task.can_execute(user, task):
            raise NotPermitted(_("This task is assigned to someone else."))
        activation.start(None)
        result = action()
        activation.execute()
    return result
