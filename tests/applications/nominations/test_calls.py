"""Calls: created by staff with seats, public pages, invitations when they open."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.choices import Constituency
from applications.exceptions import TransitionNotAllowed
from applications.models import Call, CallSeat
from applications.nominations.services import call_invitations_send, call_save
from notifications.models import OutboxMessage
from tests import factories
from tests.conftest import subject_of

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "title_es": "Convocatoria 2027",
        "title_en": "Call 2027",
        "title_fr": "Appel 2027",
        "description_es": "Descripción",
        "description_en": "Description",
        "description_fr": "Description FR",
        "time_zone": "Europe/Paris",
        "opens_at": "2027-02-01T09:00",
        "closes_at": "2027-03-01T18:00",
        f"seats_{Constituency.CIVIL_SOCIETY}": "3",
        f"seats_{Constituency.ACADEMIA}": "1",
    }
    return {**data, **overrides}


def test_secretariat_creates_a_call_with_seats_in_its_time_zone(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("review:call_create"), _form())
    assert response.status_code == 302
    call = Call.objects.get()
    # 18:00 in Paris in March (UTC+1) is 17:00 UTC.
    assert call.closes_at == datetime.datetime(2027, 3, 1, 17, 0, tzinfo=datetime.UTC)
    assert dict(call.seats.values_list("constituency", "seats")) == {
        Constituency.CIVIL_SOCIETY: 3,
        Constituency.ACADEMIA: 1,
    }
    edit = client.get(reverse("review:call_edit", args=[call.pk]))
    assert 'value="2027-03-01T18:00"' in edit.content.decode()


def test_a_call_closing_before_it_opens_is_refused_and_nothing_saved(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("review:call_create"), _form(closes_at="2027-01-15T10:00"))
    assert response.status_code == 400
    assert "The call must close after it opens." in response.content.decode()
    assert 'value="Convocatoria 2027"' in response.content.decode()
    assert not Call.objects.exists()
    with pytest.raises(TransitionNotAllowed):
        factories.call(opens_in_days=5, closes_in_days=1)
    assert not Call.objects.exists()


def test_a_call_needs_at_least_one_seat(client, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("review:call_create"),
        _form(**{f"seats_{Constituency.CIVIL_SOCIETY}": "0", f"seats_{Constituency.ACADEMIA}": ""}),
    )
    assert response.status_code == 400
    assert "at least one constituency one seat" in response.content.decode()
    assert not Call.objects.exists()


def test_committee_approvers_cannot_create_calls(client, approver):
    client.force_login(approver)
    assert client.get(reverse("review:call_create")).status_code == 403
    assert client.post(reverse("review:call_create"), _form()).status_code == 403
    assert not Call.objects.exists()


def test_seats_cannot_drop_below_the_approved_nominees(make_nomination, open_call):
    make_nomination("approved")
    with pytest.raises(TransitionNotAllowed, match="already approved"):
        call_save(
            call=open_call,
            data={"opens_at": open_call.opens_at, "closes_at": open_call.closes_at},
            seats={Constituency.ACADEMIA: 1},
            by=None,
        )
    assert CallSeat.objects.get(call=open_call).constituency == Constituency.CIVIL_SOCIETY


def test_members_are_invited_once_when_the_call_opens(deliver, aws):
    members = [factories.member(), factories.member(language="fr")]
    factories.member(member_since=None, contact_email="not-yet@example.org")  # not a member
    call = factories.call(opens_in_days=2)
    with deliver():
        assert call_invitations_send() == 0  # not open yet
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3), tick=False):
        with deliver():
            assert call_invitations_send() == 2
            assert call_invitations_send() == 0
    sent = aws.sent()
    assert sorted(str(mail["To"]) for mail in sent) == sorted(m.contact_email for m in members)
    french = next(mail for mail in sent if str(mail["To"]) == members[1].contact_email)
    assert "Appel au Comité de gestion 2027" in subject_of(french)
    links = {m.contact_email: OutboxMessage.objects.get(recipient=m.contact_email) for m in members}
    # Each member gets a link of its own.
    assert links[members[0].contact_email].body_text != links[members[1].contact_email].body_text
    call.refresh_from_db()
    assert call.invitations_sent_at is not None


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Call for the Management Committee 2027"), ("fr", "Appel au Comité de gestion 2027")],
)
def test_the_public_call_page_speaks_the_visitors_language(client, open_call, language, expected):
    response = client.get(open_call.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert 'class="countdown"' in page
    assert "America/Mexico_City" in page


def test_closed_calls_stay_visible_with_their_results(client, make_nomination, open_call):
    seated = make_nomination("onboarded")
    refused = make_nomination("rejected")
    with time_machine.travel(open_call.closes_at + datetime.timedelta(hours=1), tick=False):
        page = client.get(open_call.get_absolute_url()).content.decode()
        listing = client.get(reverse("applications:call_list")).content.decode()
    assert "Results" in page
    assert seated.nominee_name in page and seated.nominee_organisation.name in page
    assert refused.nominee_organisation.name not in page
    assert 'class="countdown"' not in page
    assert open_call.title_en in listing


def test_an_unknown_call_is_a_clean_404(client):
    response = client.get("/calls/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_the_hourly_job_invites_members_and_lapses_unanswered_nominations(
    make_nomination, open_call, run_worker
):
    from applications.members.selectors import members_to_invite
    from review.tasks import schedule_deadline_reminders

    factories.member()
    waiting = make_nomination()
    # Invited already, so only the next call's invitations are left to send.
    call_invitations_send()
    OutboxMessage.objects.all().delete()
    next_call = factories.call(closes_in_days=60)
    with time_machine.travel(open_call.closes_at + datetime.timedelta(minutes=1), tick=False):
        assert schedule_deadline_reminders() is True
        run_worker()
    waiting.refresh_from_db()
    assert waiting.status == "lapsed"
    invited = OutboxMessage.objects.filter(event="call_opened", object_id=next_call.pk)
    assert invited.count() == members_to_invite().count() == 3
    assert not OutboxMessage.objects.filter(event="call_opened", object_id=open_call.pk).exists()


def test_saving_a_call_that_is_open_already_invites_at_once(client, reviewer):
    factories.member(name="Invitada", contact_email="focal@invitada.example.org")
    scheduled = factories.call(opens_in_days=2)
    assert scheduled.invitations_sent_at is None
    assert not OutboxMessage.objects.filter(event="call_opened").exists()

    opened = factories.call()  # saved while open: no waiting for the hourly job
    assert opened.invitations_sent_at is not None
    invited = OutboxMessage.objects.filter(event="call_opened", object_id=opened.pk)
    assert list(invited.values_list("recipient", flat=True)) == ["focal@invitada.example.org"]
    assert call_invitations_send() == 0  # nobody twice

    client.force_login(reviewer)
    html = client.get(reverse("review:call_list")).content.decode()
    assert "To send when the call opens" in html and "Sent on" in html


def test_a_call_keeps_the_committee_term_its_seats_serve(client, reviewer):
    client.force_login(reviewer)
    refused = client.post(
        reverse("review:call_create"), _form(term_starts="2029-04-01", term_ends="2027-04-01")
    )
    assert refused.status_code == 400
    assert "The committee term must end after it starts." in refused.content.decode()
    assert not Call.objects.exists()
    response = client.post(
        reverse("review:call_create"), _form(term_starts="2027-04-01", term_ends="2029-03-31")
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.term_starts, call.term_ends) == (
        datetime.date(2027, 4, 1),
        datetime.date(2029, 3, 31),
    )
    edit = client.get(reverse("review:call_edit", args=[call.pk])).content.decode()
    assert 'value="2027-04-01"' in edit and 'value="2029-03-31"' in edit


@pytest.mark.parametrize(
    ("language", "call_title", "term"),
    [
        ("en", "Call for the Management Committee 2027", "term April 1, 2027 – March 31, 2029"),
        (
            "es",
            "Convocatoria al Comité de Gestión 2027",
            "mandato 1 de abril de 2027 – 31 de marzo de 2029",
        ),
        ("fr", "Appel au Comité de gestion 2027", "mandat 1 avril 2027 – 31 mars 2029"),
    ],
)
def test_the_directory_shows_each_seats_call_and_term(
    client, make_nomination, language, call_title, term
):
    call = factories.call(
        term_starts=datetime.date(2027, 4, 1), term_ends=datetime.date(2029, 3, 31)
    )
    seated = make_nomination("onboarded", call=call)
    organisation = seated.nominee_organisation
    organisation.public_listing = True  # listed, so that its own page shows the seat too
    organisation.save()
    directory = client.get(reverse("directory"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    block = directory[directory.index('<ul class="committee">') :].split("</ul>")[0]
    assert seated.nominee_name in block
    assert f"{call_title}, {term}" in block
    page = client.get(
        reverse("member_detail", args=[organisation.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert f"{call_title}, {term}" in page


def test_a_seat_without_a_term_shows_its_call_alone(client, make_nomination):
    seated = make_nomination("onboarded", call=factories.call())
    directory = client.get(reverse("directory"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    block = directory[directory.index('<ul class="committee">') :].split("</ul>")[0]
    assert "— Call for the Management Committee 2027</li>" in block
    assert "term" not in block and seated.nominee_name in block
