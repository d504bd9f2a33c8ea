"""Driving a letter's review process from code: start it, move it on, cancel it,
and complete a task on behalf of a user (the task views and the demo data use these).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.status import STATUS

from applications.exceptions import NotPermitted, TransitionNotAllowed

from .models import LetterProcess
from .roles import COMMITTEE, SECRETARIAT

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


def letter_process_onboarded(*, letter) -> None:
    """The member completed onboarding itself: close the secretariat's onboarding task.

    The task is marked done with no owner, which the history shows as done by
    the member rather than by a staff user.
    """
    task = letter_open_task(letter=letter, node_name="onboard")
    if task is None:
        return
    flow_class = _flow()
    with flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(None)
        activation.start(None)
        activation.execute()


def letter_process_cancel(*, letter) -> None:
    """The letter was withdrawn: cancel its open tasks and close the process."""
    process = LetterProcess.objects.filter(letter=letter).first()
    if process is not None and process.finished is None:
        _flow().instance.cancel(process)


def nomination_process_start(*, nomination):
    """The nominee accepted: start the review with a screening task."""
    from .flows import NominationFlow

    return NominationFlow.start.run(nomination=nomination)


def nomination_open_task(*, nomination, node_name: str | None = None):
    """The nomination's open task (optionally of one node), or None."""
    from .flows import NominationFlow
    from .models import NominationProcess

    process = NominationProcess.objects.filter(nomination=nomination).first()
    if process is None:
        return None
    tasks = process.task_set.filter(status__in=ACTIVE).order_by("pk")
    if node_name:
        tasks = [task for task in tasks if task.flow_task == getattr(NominationFlow, node_name)]
    return next(iter(tasks), None)


def nomination_process_cancel(*, nomination) -> None:
    """The nomination was withdrawn: cancel its open tasks and close the process."""
    from .flows import NominationFlow
    from .models import NominationProcess

    process = NominationProcess.objects.filter(nomination=nomination).first()
    if process is not None and process.finished is None:
        NominationFlow.instance.cancel(process)


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


NODE_GROUPS = {"screen": SECRETARIAT, "decide": COMMITTEE, "onboard": SECRETARIAT}
NODE_TITLES = {
    "screen": gettext_lazy("Screening"),
    "decide": gettext_lazy("Decision"),
    "onboard": gettext_lazy("Onboarding"),
}


def deadline_reminders_send(*, now=None) -> int:
    """Remind the people an overdue task waits on; tell the group's lead past twice the deadline.

    Before: nothing. Changes: a ``TaskReminder`` per task, kind and day, so a
    task gets at most one reminder a day and its lead one escalation a day.
    Sends: "task overdue" to the assignee, or to the whole group if the task is
    free; "task escalated" to the group's lead. Returns the number of emails queued.
    """
    from django.contrib.auth.models import User
    from django.utils import timezone
    from viewflow.workflow.models import Task

    from applications.models import Letter
    from notifications.services import notify_users

    from .models import GroupLead, TaskReminder
    from .selectors import NODE_PREFIX, annotate_deadlines, letters_with_open_task, overdue_q

    now = now or timezone.now()
    today = timezone.localdate(now)
    queued = 0
    letters = list(letters_with_open_task().filter(overdue_q(now=now)).order_by("pk"))
    escalate = set(
        letters_with_open_task().filter(overdue_q(now=now, factor=2)).values_list("pk", flat=True)
    )
    annotate_deadlines(letters, now=now)
    for letter in letters:
        node = letter.open_task_node.removeprefix(NODE_PREFIX)
        task = Task.objects.select_related("owner").get(pk=letter.open_task_id)
        group = NODE_GROUPS[node]
        context = {
            "task_title": NODE_TITLES[node],
            # A date, not text: the email formats it in the recipient's language.
            "due": timezone.localdate(letter.due),
            "assignee": (task.owner.get_full_name() or task.owner.get_username())
            if task.owner
            else "",
            "task_url": settings.SITE_URL
            + reverse(f"letter:{node}:index", args=[task.process_id, task.pk]),
        }
        kinds = [(TaskReminder.REMINDER, "task_overdue")]
        if letter.pk in escalate:
            kinds.append((TaskReminder.ESCALATION, "task_escalated"))
        for kind, event in kinds:
            with transaction.atomic():
                _, created = TaskReminder.objects.get_or_create(task=task, kind=kind, day=today)
                if not created:
                    continue
                if kind == TaskReminder.ESCALATION:
                    lead = GroupLead.objects.filter(group__name=group).select_related("user")
                    users = [entry.user for entry in lead]
                elif task.owner:
                    users = [task.owner]
                else:
                    users = User.objects.filter(groups__name=group, is_active=True).order_by("pk")
                queued += len(
                    notify_users(
                        event=event,
                        obj=Letter.objects.get(pk=letter.pk),
                        users=users,
                        nonce=f"{kind}:{task.pk}:{today.isoformat()}",
                        context=context,
                    )
                )
    return queued
