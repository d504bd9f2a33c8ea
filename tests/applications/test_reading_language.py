"""The preferred-language choice starts at the language the visitor reads the form in
(issue 13 item 2): a French visitor who leaves the defaults is written to in French."""

import re

import pytest
from django.urls import reverse

from applications.links import nominate_token
from applications.models import Letter
from notifications.models import OutboxMessage
from tests import factories
from tests.factories import form_data

pytestmark = pytest.mark.django_db

LETTER_URL = reverse("applications:letter_create")


def checked(html: str, name: str) -> list[str]:
    """The values of the radio buttons named ``name`` that the page checks."""
    values = []
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag):
            values.append(re.search(r'value="([^"]*)"', tag).group(1))
    return values


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_letter_form_starts_at_the_visitors_language(client, language):
    html = client.get(LETTER_URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert checked(html, "language") == [language]


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_letter_form_follows_the_language_switch(client, language):
    client.cookies["django_language"] = language
    html = client.get(LETTER_URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert checked(html, "language") == [language]


def test_a_visitor_of_another_language_starts_at_the_language_the_page_is_in(client, settings):
    html = client.get(LETTER_URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert f'<html lang="{settings.LANGUAGE_CODE}"' in html
    assert checked(html, "language") == [settings.LANGUAGE_CODE]


def test_a_french_visitor_who_keeps_the_default_gets_french_email(client, aws):
    html = client.get(LETTER_URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    data = form_data(contact_email="fr@example.org")
    data["language"] = checked(html, "language")[0]  # what the browser would send
    response = client.post(LETTER_URL, data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert Letter.objects.get().language == "fr"
    email = OutboxMessage.objects.get(event="letter_submitted", audience="applicant")
    assert email.language == "fr"


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_nomination_form_starts_at_the_visitors_language(client, language):
    call = factories.call()
    member = factories.member()
    url = reverse("applications:nomination_create", args=[nominate_token(call, member)])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert checked(response.content.decode(), "nominee_language") == [language]
