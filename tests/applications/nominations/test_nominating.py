"""Member-only nominations through a signed link, the nominee's consent, lapses,
withdrawal, and the clear refusals around them."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from applications.choices import Constituency, NominationStatus
from applications.exceptions import DuplicateNomination, NotEligible
from applications.links import consent_token, nominate_token, nomination_status_token
from applications.models import Nomination, NominationAttachment
from applications.nominations import services as nominations
from notifications.models import OutboxMessage
from review.selectors import nomination_open_task
from tests import factories
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _post_data(nominee_org, **overrides):
    data = {
        "nominee_name": "Ana Gómez",
        "nominee_email": "ana@example.org",
        "nominee_position": "Coordinadora",
        "nominee_organisation": nominee_org.pk,
        "nominee_language": "fr",
        "constituency": nominee_org.constituency,
        "motivation": "Veinte años de trabajo en cuidados.",
        "cv": upload("cv.pdf", pdf_bytes("CV")),
        "endorsement": upload("aval.pdf", pdf_bytes("Aval")),
    }
    data.update(overrides)
    return data


def _nominate_url(call, member):
    return reverse("applications:nomination_create", args=[nominate_token(call, member)])


def test_a_member_nominates_through_its_link(client, open_call, aws, deliver):
    nominator, nominee_org = factories.member(), factories.member()
    page = client.get(_nominate_url(open_call, nominator))
    assert page.status_code == 200
    assert nominator.name in page.content.decode()
    with deliver():
        response = client.post(_nominate_url(open_call, nominator), _post_data(nominee_org))
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.status == NominationStatus.AWAITING_CONSENT
    assert nomination.nominated_by == nominator
    assert sorted(nomination.attachments.values_list("kind", flat=True)) == ["cv", "endorsement"]
    assert len(aws.object_keys()) == 2
    # The nominator is told; the nominee is asked, in the nominee's language, with a consent link.
    to_nominee = OutboxMessage.objects.get(event="nomination_submitted", audience="nominee")
    assert to_nominee.language == "fr"
    assert "/consent/" in to_nominee.body_text
    assert OutboxMessage.objects.filter(
        event="nomination_submitted", audience="nominator", recipient=nominator.contact_email
    ).exists()
    status = client.get(response["Location"])
    assert "Waiting for the nominee" in status.content.decode()


def test_a_double_click_makes_one_nomination(client, open_call):
    nominator, nominee_org = factories.member(), factories.member()
    key = "0b1f3a4e-7d8c-4b6a-9e2f-1a2b3c4d5e6f"
    for _ in range(2):
        response = client.post(
            _nominate_url(open_call, nominator), _post_data(nominee_org, idempotency_key=key)
        )
        assert response.status_code == 302
    assert Nomination.objects.count() == 1
    assert NominationAttachment.objects.count() == 2


def test_a_tampered_or_foreign_link_cannot_nominate(client, open_call, make_nomination):
    nominator = factories.member()
    token = nominate_token(open_call, nominator)
    assert client.get(f"/nominate/{token[:-2]}xx/").status_code == 404
    # A consent or status link is not a nomination link.
    nomination = make_nomination()
    for other in (consent_token(nomination), nomination_status_token(nomination)):
        response = client.get(f"/nominate/{other}/")
        assert response.status_code == 404
        assert "not valid" in response.content.decode()


def test_an_expired_link_says_so(client, open_call, settings):
    nominator = factories.member()
    url = _nominate_url(open_call, nominator)
    settings.STATUS_LINK_MAX_AGE_DAYS = 1
    with time_machine.travel(datetime.datetime.now() + datetime.timedelta(days=2)):
        response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_non_member_cannot_nominate(client, open_call):
    former = factories.member()
    url = _nominate_url(open_call, former)
    former.member_since = None
    former.save()
    response = client.get(url)
    assert response.status_code == 404
    assert "Only member organisations of the Alliance can nominate." in response.content.decode()
    with pytest.raises(NotEligible):
        nominations.nomination_submit(
            call=open_call,
            nominated_by=former,
            data=factories.nomination_data(factories.member()),
            files=factories.nomination_files(),
        )
    assert not Nomination.objects.exists()


def test_the_nominee_must_belong_to_a_member_organisation(client, open_call, aws):
    nominator = factories.member()
    outsider = factories.member(member_since=None)
    response = client.post(_nominate_url(open_call, nominator), _post_data(outsider))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(NotEligible, match="must belong to a member organisation"):
        nominations.nomination_submit(
            call=open_call,
            nominated_by=nominator,
            data=factories.nomination_data(outsider),
            files=factories.nomination_files(),
        )
    assert not Nomination.objects.exists()
    assert aws.object_keys() == []


def test_the_nominee_takes_a_seat_of_their_organisations_constituency(client, open_call):
    nominator = factories.member()
    academic = factories.member(constituency=Constituency.ACADEMIA)
    response = client.post(
        _nominate_url(open_call, nominator),
        _post_data(academic, constituency=Constituency.CIVIL_SOCIETY),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "a nominee takes a seat of their own organisation" in page
    assert 'value="Ana Gómez"' in page  # the typed data is kept
    assert not Nomination.objects.exists()


def test_the_same_nominee_is_nominated_once_per_call(client, open_call, make_nomination, aws):
    first = make_nomination()
    keys_before = aws.object_keys()
    response = client.post(
        _nominate_url(open_call, factories.member()),
        _post_data(first.nominee_organisation, nominee_email=first.nominee_email.upper()),
    )
    assert response.status_code == 400
    assert "is already nominated in this call" in response.content.decode()
    assert Nomination.objects.count() == 1
    assert aws.object_keys() == keys_before  # nothing half-saved
    with pytest.raises(DuplicateNomination):
        make_nomination(nominee_email=first.nominee_email)


def test_after_closing_nominations_are_refused_with_the_closing_time_in_the_visitors_language(
    client, open_call
):
    nominator = factories.member()
    url = _nominate_url(open_call, nominator)
    with time_machine.travel(open_call.closes_at + datetime.timedelta(minutes=1), tick=False):
        response = client.post(url, _post_data(factories.member()), HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 410
        page = response.content.decode()
        assert '<html lang="fr">' in page
        with translation.override("fr"):
            closing = open_call.closing_text()
        assert closing in page
        with translation.override("en"), pytest.raises(NotEligible, match="closed on"):
            nominations.nomination_submit(
                call=open_call,
                nominated_by=nominator,
                data=factories.nomination_data(factories.member()),
                files=[],
            )
    assert not Nomination.objects.exists()


def test_before_opening_the_link_waits(client):
    call = factories.call(opens_in_days=3)
    response = client.get(_nominate_url(call, factories.member()))
    assert response.status_code == 410
    assert "not accepted yet" in response.content.decode()


def _consent_url(nomination):
    return reverse("applications:nomination_consent", args=[consent_token(nomination)])


def test_the_nominee_accepts_and_the_nomination_goes_to_screening(client, make_nomination):
    nomination = make_nomination()
    assert nomination_open_task(nomination=nomination) is None  # nothing to screen yet
    url = _consent_url(nomination)
    assert "The statement of motivation" in client.get(url).content.decode()
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED
    assert nomination_open_task(nomination=nomination, node_name="screen") is not None
    assert OutboxMessage.objects.filter(
        event="nomination_accepted", audience="Secretariat"
    ).exists()
    # The link used twice: a clear message, nothing changes.
    again = client.post(url, {"answer": "decline"}, follow=True)
    assert "already answered" in again.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED


def test_the_nominee_declines(client, make_nomination):
    nomination = make_nomination()
    client.post(_consent_url(nomination), {"answer": "decline"})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.DECLINED
    assert nomination_open_task(nomination=nomination) is None
    assert OutboxMessage.objects.filter(event="nomination_declined").count() == 2


def test_a_consent_link_works_only_for_its_nomination_and_nominee(client, make_nomination):
    nomination = make_nomination()
    other = make_nomination()
    url = _consent_url(nomination)
    # The link of one nomination cannot answer another: the signature covers the id.
    mine, theirs = consent_token(nomination), consent_token(other)
    forged = theirs.split(":")[0] + ":" + mine.split(":", 1)[1]
    assert client.get(f"/consent/{forged}/").status_code == 404
    assert client.get(f"/consent/{theirs}/").status_code == 200
    # A link sent to a previous address of the nominee no longer works.
    Nomination.objects.filter(pk=nomination.pk).update(nominee_email="someone@else.example.org")
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 404
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.AWAITING_CONSENT


def test_no_answer_by_closing_lapses_with_emails_to_both_sides(client, open_call, make_nomination):
    nomination = make_nomination()
    answered = make_nomination("submitted")
    with time_machine.travel(open_call.closes_at + datetime.timedelta(minutes=5), tick=False):
        assert nominations.nominations_lapse() == 1
        assert nominations.nominations_lapse() == 0
    nomination.refresh_from_db()
    answered.refresh_from_db()
    assert nomination.status == NominationStatus.LAPSED
    assert answered.status == NominationStatus.SUBMITTED
    lapsed = OutboxMessage.objects.filter(event="nomination_lapsed", object_id=nomination.pk)
    assert sorted(lapsed.values_list("audience", flat=True)) == ["nominator", "nominee"]


def test_answering_after_closing_lapses_the_nomination(client, open_call, make_nomination):
    nomination = make_nomination()
    url = _consent_url(nomination)
    with time_machine.travel(open_call.closes_at + datetime.timedelta(minutes=5), tick=False):
        response = client.post(url, {"answer": "accept"}, follow=True)
    assert "lapsed without your answer" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.LAPSED
    assert nomination_open_task(nomination=nomination) is None


def test_the_nominator_withdraws_and_open_tasks_are_cancelled(client, make_nomination):
    nomination = make_nomination("submitted")
    url = reverse("applications:nomination_status", args=[nomination_status_token(nomination)])
    refused = client.post(url + "withdraw/", {}, follow=True)
    assert "Tick the box" in refused.content.decode()
    client.post(url + "withdraw/", {"confirm": "on", "reason": "Cambio de planes"})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN
    assert nomination_open_task(nomination=nomination) is None
    page = client.get(url).content.decode()
    assert "Withdraw the nomination" not in page


def test_a_member_asks_for_its_link_again_and_strangers_learn_nothing(client, open_call):
    member = factories.member()
    url = reverse("applications:nomination_link_request", args=[open_call.public_id])
    for email in (member.contact_email.upper(), "stranger@example.org"):
        response = client.post(url, {"email": email}, follow=True)
        assert "If this address is the contact of a member organisation" in (
            response.content.decode()
        )
    client.post(url, {"email": member.contact_email})  # the same hour: not sent twice
    sent = OutboxMessage.objects.filter(event="call_nomination_link")
    assert list(sent.values_list("recipient", flat=True)) == [member.contact_email]
    assert "/nominate/" in sent.get().body_text
