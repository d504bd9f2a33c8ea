"""Deadline reminders: once a day to whoever the task waits on, then to the lead."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.models import OutboxMessage
from review.models import GroupLead
from review.reminders import deadline_reminders_send
from review.selectors import letter_open_task
from review.task_actions import task_assign
from review.tasks import TASK_PATH, schedule_deadline_reminders

pytestmark = pytest.mark.django_db


def reminders():
    return sorted(
        (m.event, m.recipient)
        for m in OutboxMessage.objects.filter(event__in=["task_overdue", "task_escalated"])
    )


def days(n):
    return timezone.now() + timedelta(days=n, hours=1)


def test_no_reminder_before_the_deadline(make_letter, reviewer, settings):
    make_letter("submitted")
    with time_machine.travel(days(settings.REVIEW_DEADLINE_DAYS["screen"] - 1)):
        assert deadline_reminders_send() == 0
    assert reminders() == []


def test_free_task_reminds_the_whole_group_once_a_day(make_letter, reviewer, reviewer2, settings):
    letter = make_letter("submitted", organisation_name="Tarde")
    deadline = settings.REVIEW_DEADLINE_DAYS["screen"]
    with time_machine.travel(days(deadline)):
        assert deadline_reminders_send() == 2
        assert deadline_reminders_send() == 0  # same day: nothing more
    assert reminders() == [
        ("task_overdue", "reviewer2@alliance.test"),
        ("task_overdue", "reviewer@alliance.test"),
    ]
    message = OutboxMessage.objects.filter(event="task_overdue").first()
    assert message.subject == "Overdue: Screening of Tarde"
    assert "Nobody has taken it yet" in message.body_text
    task = letter_open_task(letter=letter)
    # The reminder links the task itself: our task page (issue 12), not viewflow's.
    assert f"/staff/letters/tasks/{task.pk}/" in message.body_text
    with time_machine.travel(days(deadline + 1)):
        assert deadline_reminders_send() == 2


def test_assigned_task_reminds_only_the_assignee(make_letter, reviewer, reviewer2, settings):
    letter = make_letter("submitted")
    task_assign(task=letter_open_task(letter=letter), user=reviewer2)
    with time_machine.travel(days(settings.REVIEW_DEADLINE_DAYS["screen"])):
        deadline_reminders_send()
    assert reminders() == [("task_overdue", "reviewer2@alliance.test")]
    assert "assigned to Lucía" in OutboxMessage.objects.get(event="task_overdue").body_text


def test_decision_waits_on_the_committee(make_letter, approver, approver2, settings):
    make_letter("reviewed")
    with time_machine.travel(days(settings.REVIEW_DEADLINE_DAYS["decide"])):
        deadline_reminders_send()
    assert reminders() == [
        ("task_overdue", "approver2@alliance.test"),
        ("task_overdue", "approver@alliance.test"),
    ]


def test_lead_is_told_after_twice_the_deadline(make_letter, reviewer, django_user_model, settings):
    lead = django_user_model.objects.create_user("lead", email="lead@alliance.test")
    GroupLead.objects.create(group=Group.objects.get(name="Secretariat"), user=lead)
    make_letter("submitted")
    deadline = settings.REVIEW_DEADLINE_DAYS["screen"]
    with time_machine.travel(days(2 * deadline - 1)):
        deadline_reminders_send()
    assert ("task_escalated", "lead@alliance.test") not in reminders()
    with time_machine.travel(days(2 * deadline)):
        deadline_reminders_send()
    assert ("task_escalated", "lead@alliance.test") in reminders()


def test_reminder_job_reschedules_itself_once(run_worker):
    assert schedule_deadline_reminders() is True
    assert schedule_deadline_reminders() is False
    run_worker()
    waiting = DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY")
    assert waiting.count() == 1
    assert waiting.get().run_after > timezone.now() + timedelta(minutes=55)
