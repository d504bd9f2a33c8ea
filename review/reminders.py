"""Deadlines of staff tasks: reminders to the people a task waits on, and a word
to the group's lead when it waits more than twice its deadline."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task

from applications.models import Letter
from applications.roles import COMMITTEE, SECRETARIAT
from notifications.services import notify_users

from .models import GroupLead, TaskReminder
from .selectors import NODE_PREFIX, annotate_deadlines, letters_with_open_task, overdue_q

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
            "task_url": settings.SITE_URL + reverse("review:task", args=[task.pk]),
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
