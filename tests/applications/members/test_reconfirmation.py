"""The yearly re-confirmation: asked after a year, reminded at 14 and 28 days, a
follow-up for the Secretariat at 60, never an automatic end (time-machine)."""

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications import links
from applications.members.models import MemberChange
from applications.members.services import member_reconfirmations_send
from applications.models import Organisation
from notifications.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db

JOINED = datetime.date(2025, 3, 1)
ASKED = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)


def events():
    return list(OutboxMessage.objects.order_by("pk").values_list("event", "recipient"))


def run_on(moment):
    with time_machine.travel(moment, tick=False):
        return member_reconfirmations_send()


@pytest.fixture
def member():
    return factories.member(
        member_since=JOINED, contact_email="focal@anual.example.org", language="en"
    )


def test_nothing_is_asked_before_a_year(member):
    assert run_on(ASKED - timedelta(days=2)) == 0
    assert events() == []


def test_the_whole_year_round_without_an_answer(member, reviewer):
    assert run_on(ASKED) == 1
    assert events() == [("member_reconfirmation", "focal@anual.example.org")]
    mail = OutboxMessage.objects.get()
    assert mail.language == "en" and "/members/self/" in mail.body_text

    # Every hour the job runs again: nothing more until day 14.
    for hours in (1, 24, 13 * 24):
        assert run_on(ASKED + timedelta(hours=hours)) == 0
    assert run_on(ASKED + timedelta(days=14)) == 1
    assert run_on(ASKED + timedelta(days=15)) == 0
    assert run_on(ASKED + timedelta(days=28)) == 1
    assert run_on(ASKED + timedelta(days=59)) == 0
    assert [e for e, _ in events()] == [
        "member_reconfirmation",
        "member_reconfirmation_reminder",
        "member_reconfirmation_reminder",
    ]

    assert run_on(ASKED + timedelta(days=60)) == 1
    [follow_up] = OutboxMessage.objects.filter(event="member_reconfirmation_overdue")
    assert follow_up.recipient == reviewer.email
    assert run_on(ASKED + timedelta(days=61)) == 0
    assert run_on(ASKED + timedelta(days=300)) == 0

    member = Organisation.objects.get(pk=member.pk)
    assert member.membership_status == "active"  # never ended by itself
    assert member.reconfirmation_follow_up_at is not None


def test_the_staff_list_shows_who_to_follow_up(client, member, reviewer):
    other = factories.member(name="Al día", member_since=datetime.date(2026, 2, 1))
    run_on(ASKED)
    run_on(ASKED + timedelta(days=60))
    client.force_login(reviewer)
    response = client.get(reverse("review:member_list"), {"follow_up": "1"})
    assert [m.pk for m in response.context["members"]] == [member.pk]
    everyone = client.get(reverse("review:member_list"))
    assert {m.pk for m in everyone.context["members"]} == {member.pk, other.pk}


def test_confirming_stops_the_reminders_and_the_next_round_comes_a_year_later(client, member):
    run_on(ASKED)
    focal = member.contacts.get()
    token = links.member_token(focal)
    with time_machine.travel(ASKED + timedelta(days=3), tick=False):
        page = client.get(reverse("member_self_service", args=[token]))
        assert "Our details are right and our commitment holds" in page.content.decode()
        response = client.post(reverse("member_reconfirm", args=[token]))
    assert response.status_code == 302
    assert MemberChange.objects.filter(action="reconfirmed", by_contact=focal.email).exists()
    for days in (14, 28, 60, 200):
        assert run_on(ASKED + timedelta(days=days)) == 0
    page = client.get(reverse("member_self_service", args=[token]))
    assert "Our details are right" not in page.content.decode()

    assert run_on(ASKED + timedelta(days=3 + 366)) == 1
    assert [e for e, _ in events()] == ["member_reconfirmation", "member_reconfirmation"]


def test_suspended_and_ended_members_are_not_asked(member, reviewer):
    from applications.members import services

    services.member_suspend(organisation=member, by=services.Actor(user=reviewer), reason="R")
    OutboxMessage.objects.all().delete()
    assert run_on(ASKED) == 0


def test_the_reminders_go_out_with_the_worker_hourly_run(member):
    from review.tasks import deadline_reminders

    with time_machine.travel(ASKED, tick=False):
        deadline_reminders.call()
    assert OutboxMessage.objects.filter(event="member_reconfirmation").count() == 1
    assert timezone.now() > ASKED


def test_sixty_days_unanswered_give_the_secretariat_a_task_it_closes_with_a_note(
    client, member, reviewer, approver
):
    from viewflow.workflow.models import Task

    from review.models import ReconfirmationProcess

    run_on(ASKED)
    run_on(ASKED + timedelta(days=59))
    assert not ReconfirmationProcess.objects.exists()
    run_on(ASKED + timedelta(days=60))
    run_on(ASKED + timedelta(days=61))  # the next hourly runs open no second task
    [process] = ReconfirmationProcess.objects.filter(organisation=member)
    task = Task.objects.get(process=process, flow_task_type="HUMAN")
    url = reverse("review:task", args=[task.pk])

    client.force_login(reviewer)
    inbox = client.get(reverse("review:task_inbox")).content.decode()
    assert f'href="{url}"' in inbox and member.name in inbox
    page = client.get(url).content.decode()
    assert "focal@anual.example.org" in page and 'id="task-form-title"' in page

    # A note is required: nothing is closed without saying what was done.
    response = client.post(url, {"note": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    task.refresh_from_db()
    assert task.status != "DONE"

    response = client.post(url, {"note": "Llamamos a la Red: confirma sus datos por teléfono."})
    assert response.status_code == 302
    assert response["Location"] == reverse("review:member_detail", args=[member.pk])
    task.refresh_from_db()
    assert task.status == "DONE" and task.owner_id == reviewer.pk
    change = MemberChange.objects.get(organisation=member, action="reconfirmation_followed_up")
    assert change.by_user_id == reviewer.pk and "por teléfono" in change.note
    assert Organisation.objects.get(pk=member.pk).membership_status == "active"
    detail = client.get(response["Location"]).content.decode()
    assert "Unanswered yearly confirmation followed up" in detail and "por teléfono" in detail
    assert f'href="{url}"' not in client.get(reverse("review:task_inbox")).content.decode()


def test_a_member_confirming_after_sixty_days_closes_the_follow_up_task_itself(
    client, member, reviewer
):
    from viewflow.workflow.models import Task

    from review.models import ReconfirmationProcess

    run_on(ASKED)
    run_on(ASKED + timedelta(days=60))
    task = Task.objects.get(
        process__reconfirmationprocess__organisation=member, flow_task_type="HUMAN"
    )
    url = reverse("review:task", args=[task.pk])
    client.force_login(reviewer)
    assert f'href="{url}"' in client.get(reverse("review:task_inbox")).content.decode()

    client.logout()
    token = links.member_token(member.contacts.get())
    with time_machine.travel(ASKED + timedelta(days=62), tick=False):
        assert client.post(reverse("member_reconfirm", args=[token])).status_code == 302
    task.refresh_from_db()
    assert task.status == "DONE" and task.owner_id is None  # done by the member
    assert ReconfirmationProcess.objects.get(organisation=member).finished is not None
    client.force_login(reviewer)
    assert f'href="{url}"' not in client.get(reverse("review:task_inbox")).content.decode()
    staff_list = client.get(reverse("review:member_list"), {"follow_up": "1"}).content.decode()
    assert member.name not in staff_list
    # The next round, a year on, may open a task of its own again.
    assert run_on(ASKED + timedelta(days=62 + 366)) == 1
    assert run_on(ASKED + timedelta(days=62 + 366 + 60)) >= 1
    assert ReconfirmationProcess.objects.filter(organisation=member).count() == 2


def test_the_follow_up_task_is_the_secretariats_only(client, member, approver):
    from viewflow.workflow.models import Task

    run_on(ASKED)
    run_on(ASKED + timedelta(days=60))
    task = Task.objects.get(
        process__reconfirmationprocess__organisation=member, flow_task_type="HUMAN"
    )
    url = reverse("review:task", args=[task.pk])
    client.force_login(approver)  # the Committee
    assert f'href="{url}"' not in client.get(reverse("review:task_inbox")).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, {"note": "x"}).status_code == 403
    task.refresh_from_db()
    assert task.status != "DONE"
