"""Screening and decision of nominations in the review inbox: the computed
eligibility checklist, the four-eyes rule, seats, committee onboarding."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import formats

from applications.choices import Constituency, NominationStatus
from applications.configuration.selectors import deadline_days
from applications.exceptions import FourEyesViolation, SeatsFull
from applications.nominations import services as nominations
from notifications.models import OutboxMessage
from review.selectors import nomination_open_task
from review.task_actions import task_complete
from tests import factories

pytestmark = pytest.mark.django_db


def _task_url(task, node, action="index"):
    return reverse(f"nomination:{node}:{action}", args=[task.process_id, task.pk])


def _take(client, task, node):
    response = client.post(_task_url(task, node, "assign"))
    assert response.status_code == 302


def test_the_screener_sees_the_eligibility_checked_against_the_roll(
    client, reviewer, make_nomination
):
    nomination = make_nomination("submitted")
    # The nominee's organisation left the Alliance after the nomination.
    organisation = nomination.nominee_organisation
    organisation.member_since = None
    organisation.save()
    task = nomination_open_task(nomination=nomination, node_name="screen")
    client.force_login(reviewer)
    _take(client, task, "screen")
    page = client.get(_task_url(task, "screen", "execute")).content.decode()
    assert "Eligibility (checked against the member roll)" in page
    assert "The nominating organisation is a member" in page
    assert "The nominee accepted the nomination" in page
    # The failing item is marked as such for sighted and screen-reader users.
    failing = page.split("The nominee&#x27;s organisation is a member")[0].rsplit("<li>", 1)[1]
    assert "✘" in failing and "No" in failing


def test_screen_then_a_different_approver_approves_then_onboarding(
    client, reviewer, approver, make_nomination, deliver, aws
):
    nomination = make_nomination("submitted", nominee_language="en")
    client.force_login(reviewer)
    task = nomination_open_task(nomination=nomination, node_name="screen")
    _take(client, task, "screen")
    response = client.post(
        reverse("nomination:screen:execute", args=[task.process_id, task.pk]),
        {"recommendation": "approve", "note": "Cumple."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.REVIEWED
    assert nomination.screening_checklist  # the snapshot the committee decides on
    # The screener cannot decide.
    decide = nomination_open_task(nomination=nomination, node_name="decide")
    with pytest.raises(FourEyesViolation):
        nominations.nomination_decide(nomination=nomination, by=reviewer, approve=True)
    client.force_login(approver)
    _take(client, decide, "decide")
    response = client.post(
        reverse("nomination:decide:execute", args=[decide.process_id, decide.pk]),
        {"decision": "approve", "reason": "Trayectoria sólida."},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.APPROVED
    onboard = nomination_open_task(nomination=nomination, node_name="onboard")
    client.force_login(reviewer)
    _take(client, onboard, "onboard")
    with deliver():
        response = client.post(
            reverse("nomination:onboard:execute", args=[onboard.process_id, onboard.pk]),
            {"confirm": "on"},
        )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ONBOARDED
    welcome = OutboxMessage.objects.get(event="nomination_onboarded", audience="nominee")
    assert "Meeting calendar" in welcome.body_text
    assert "What the committee does" in welcome.body_text
    assert welcome.recipient in [str(mail["To"]) for mail in aws.sent()]
    # The directory lists the new committee member.
    client.logout()
    directory = client.get(reverse("directory")).content.decode()
    assert "Management Committee" in directory
    assert nomination.nominee_name in directory


def test_the_screeners_decision_page_is_refused_with_the_reason(
    client, reviewer, make_nomination, staff_groups
):
    from django.contrib.auth.models import Group

    nomination = make_nomination("reviewed")
    # Even a screener who is also on the committee may not decide what they screened.
    reviewer.groups.add(Group.objects.get(name="Committee"))
    task = nomination_open_task(nomination=nomination, node_name="decide")
    client.force_login(reviewer)
    assert client.post(_task_url(task, "decide", "assign")).status_code == 403
    response = client.get(_task_url(task, "decide", "execute"))
    assert response.status_code == 403
    assert "You screened this nomination" in response.content.decode()
    detail = client.get(reverse("review:nomination_detail", args=[nomination.pk]))
    assert "four-eyes" in detail.content.decode()


def test_approving_beyond_the_seats_is_refused_with_a_clear_message(
    client, approver2, reviewer, open_call, make_nomination
):
    # The open call has 2 civil-society seats.
    make_nomination("approved")
    make_nomination("onboarded")
    third = make_nomination("reviewed")
    task = nomination_open_task(nomination=third, node_name="decide")
    client.force_login(approver2)
    _take(client, task, "decide")
    response = client.post(
        reverse("nomination:decide:execute", args=[task.process_id, task.pk]),
        {"decision": "approve", "reason": ""},
    )
    assert response.status_code == 200
    assert "All 2 seats of" in response.content.decode()
    third.refresh_from_db()
    assert third.status == NominationStatus.REVIEWED
    assert nomination_open_task(nomination=third, node_name="decide") is not None
    # Rejecting is still possible.
    task_complete(
        task=task,
        user=approver2,
        action=lambda: nominations.nomination_decide(
            nomination=third, by=approver2, approve=False, reason="Sin asientos."
        ),
    )
    third.refresh_from_db()
    assert third.status == NominationStatus.REJECTED


def test_seats_are_counted_per_constituency(approver, make_nomination, open_call):
    from applications.nominations.services import call_save

    call_save(
        call=open_call,
        data={"opens_at": open_call.opens_at, "closes_at": open_call.closes_at},
        seats={Constituency.CIVIL_SOCIETY: 1, Constituency.ACADEMIA: 1},
        by=None,
    )
    make_nomination("approved")
    academic = make_nomination(
        "approved", nominee_organisation=factories.member(constituency=Constituency.ACADEMIA)
    )
    assert academic.status == NominationStatus.APPROVED
    with pytest.raises(SeatsFull):
        make_nomination("approved")


def test_staff_lists_and_filters_nominations(client, reviewer, make_nomination, open_call):
    waiting = make_nomination()
    screened = make_nomination("reviewed")
    client.force_login(reviewer)
    page = client.get(reverse("review:nomination_list"), {"status": "reviewed"}).content.decode()
    assert reverse("review:nomination_detail", args=[screened.pk]) in page
    assert reverse("review:nomination_detail", args=[waiting.pk]) not in page
    calls = client.get(reverse("review:call_list")).content.decode()
    assert open_call.title_en in calls


def test_applicants_and_anonymous_visitors_cannot_see_nominations(client, make_nomination):
    nomination = make_nomination()
    response = client.get(reverse("review:nomination_detail", args=[nomination.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_one_inbox_shows_letters_and_nominations_without_the_screeners_decisions(
    client, reviewer, approver, make_nomination, make_letter, django_assert_max_num_queries
):
    letter = make_letter("submitted")
    nomination = make_nomination("submitted")
    decided_later = make_nomination("reviewed")  # screened by `reviewer`
    client.force_login(reviewer)
    page = client.get(reverse("review:task_inbox")).content.decode()
    assert letter.organisation_name in page
    assert nomination.nominee_organisation.name in page
    # A decision is committee work, and four-eyes keeps it from its screener anyway.
    assert decided_later.nominee_organisation.name not in page
    client.force_login(approver)
    page = client.get(reverse("review:task_inbox")).content.decode()
    assert decided_later.nominee_organisation.name in page
    assert letter.organisation_name not in page
    for _ in range(10):
        make_nomination("submitted")
    client.force_login(reviewer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("review:task_inbox"))
    assert response.content.decode().count("<tr>") == 13  # header + 12 tasks


def test_the_admin_shows_calls_and_nominations_read_only(admin_client, make_nomination):
    nomination = make_nomination("submitted")
    for name, obj in (("nomination", nomination), ("call", nomination.call)):
        assert admin_client.get(reverse(f"admin:applications_{name}_changelist")).status_code == 200
        page = admin_client.get(reverse(f"admin:applications_{name}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()


def test_a_nominations_task_has_its_due_date_in_the_inbox_and_turns_overdue(
    client, reviewer, make_nomination
):
    """Like letters', a nomination's screening task is due the screening deadline
    after it opened (the Secretariat's review deadlines), and shows when overdue."""
    opened = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    with time_machine.travel(opened, tick=False):
        nomination = make_nomination("submitted", call=factories.call())
    due = opened + datetime.timedelta(days=deadline_days()["screen"])
    shown = formats.date_format(due, "SHORT_DATE_FORMAT")
    client.force_login(reviewer)
    with time_machine.travel(due - datetime.timedelta(hours=1)):
        page = client.get(reverse("review:task_inbox")).content.decode()
    row = page[page.index(nomination.nominee_name) :].split("</tr>")[0]
    assert f"<td>{shown}</td>" in row and "Overdue" not in row
    with time_machine.travel(due + datetime.timedelta(hours=1)):
        page = client.get(reverse("review:task_inbox")).content.decode()
    row = page[page.index(nomination.nominee_name) :].split("</tr>")[0]
    assert f"<strong>Overdue</strong> {shown}</td>" in row
