"""The nomination forms get the same abuse protection as the letter forms:
a rate limit per visitor and form, and a honeypot that saves nothing."""

import pytest
from django.urls import reverse

from applications.choices import NominationStatus
from applications.links import consent_token, nominate_token, nomination_status_token
from applications.models import Nomination
from notifications.models import OutboxMessage
from tests import factories
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def nomination_forms(open_call, make_nomination):
    waiting = make_nomination()
    other = make_nomination()
    return {
        "nomination_create": (
            reverse(
                "applications:nomination_create",
                args=[nominate_token(open_call, factories.member())],
            ),
            {},
        ),
        "nomination_link_request": (
            reverse("applications:nomination_link_request", args=[open_call.public_id]),
            {"email": "someone@example.org"},
        ),
        "nomination_withdraw": (
            reverse("applications:nomination_withdraw", args=[nomination_status_token(other)]),
            {},
        ),
        "nomination_consent": (
            reverse("applications:nomination_consent", args=[consent_token(waiting)]),
            {},
        ),
    }


@pytest.mark.parametrize(
    "form",
    ["nomination_create", "nomination_link_request", "nomination_withdraw", "nomination_consent"],
)
def test_each_nomination_form_refuses_posts_past_the_limit(
    client, settings, nomination_forms, form
):
    settings.RATE_LIMIT_PUBLIC_FORMS = "2/h"
    url, data = nomination_forms[form]
    for _ in range(2):
        assert client.post(url, data).status_code != 429
    refused = client.post(url, data)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()


def test_a_filled_honeypot_saves_no_nomination(client, open_call, aws):
    nominee_org = factories.member()
    url = reverse(
        "applications:nomination_create", args=[nominate_token(open_call, factories.member())]
    )
    assert 'name="homepage"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "nominee_name": "Ana Gómez",
            "nominee_email": "ana@example.org",
            "nominee_position": "Coordinadora",
            "nominee_organisation": nominee_org.pk,
            "nominee_language": "es",
            "constituency": nominee_org.constituency,
            "motivation": "Motivo.",
            "cv": upload("cv.pdf", pdf_bytes()),
            "endorsement": upload("aval.pdf", pdf_bytes()),
            "homepage": "http://spam.example.com",
        },
    )
    assert response.status_code == 400
    assert "This form could not be accepted" in response.content.decode()
    assert not Nomination.objects.exists()
    assert aws.object_keys() == []


def test_a_filled_honeypot_neither_consents_nor_withdraws_nor_sends_a_link(
    client, open_call, make_nomination
):
    nomination = make_nomination()
    client.post(
        reverse("applications:nomination_consent", args=[consent_token(nomination)]),
        {"answer": "accept", "homepage": "x"},
    )
    client.post(
        reverse("applications:nomination_withdraw", args=[nomination_status_token(nomination)]),
        {"confirm": "on", "homepage": "x"},
    )
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.AWAITING_CONSENT
    member = factories.member()
    client.post(
        reverse("applications:nomination_link_request", args=[open_call.public_id]),
        {"email": member.contact_email, "homepage": "x"},
    )
    assert not OutboxMessage.objects.filter(event="call_nomination_link").exists()
