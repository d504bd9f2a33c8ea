"""The privacy notice (issue 13 item 4): a page in es/en/fr, one click from every consent
on every public form; retention periods from the settings; the Secretariat's wording when
they reworded it; a deployer's template otherwise."""

import re

import pytest
from django.urls import reverse

from applications.links import consent_token, nominate_token, onboarding_token
from applications.texts import services as texts
from applications.texts.pages import PAGES
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("privacy_notice")


@pytest.mark.parametrize(
    ("language", "heading", "months", "contact"),
    [
        ("es", "Aviso de privacidad", "se borran 7 meses después", "Escriba a la Secretaría"),
        ("en", "Privacy notice", "are erased 7 months after", "Write to the Technical"),
        ("fr", "Avis de confidentialité", "sont effacés 7 mois après", "Écrivez au Secrétariat"),
    ],
)
def test_the_notice_in_each_language_with_the_settings_periods(
    client, settings, language, heading, months, contact
):
    settings.RETENTION_MONTHS = 7
    settings.DRAFT_EXPIRY_DAYS = 21
    settings.STATUS_LINK_MAX_AGE_DAYS = 90
    settings.SECRETARIAT_EMAIL = "privacidad@cuidados.example.org"
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert f"<h1>{heading}</h1>" in html
    assert months in html
    assert " 21 " in html and " 90 " in html
    assert contact in html
    assert 'href="mailto:privacidad@cuidados.example.org"' in html


def _privacy_link_in(html: str) -> bool:
    return bool(re.search(rf'<a href="{re.escape(URL)}"[^>]*>', html))


def test_every_consent_on_every_public_form_links_to_it(client, make_letter):
    call = factories.call()
    member = factories.member()
    nomination = factories.nomination_in_state("awaiting_consent", call=call)
    letter = make_letter("approved")
    pages = {
        "letter": reverse("applications:letter_create"),
        "nomination": reverse(
            "applications:nomination_create", args=[nominate_token(call, member)]
        ),
        "consent": reverse("applications:nomination_consent", args=[consent_token(nomination)]),
        "onboarding": reverse("member_onboarding", args=[onboarding_token(letter)]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert _privacy_link_in(response.content.decode()), name


def test_the_secretariats_wording_replaces_the_default(client, lead, settings):
    settings.RETENTION_MONTHS = 9
    texts.text_save(
        spec=PAGES["page/privacy_notice"],
        language="fr",
        body="Notre avis à nous. Effacement après {retention_months} mois.",
        by=lead,
    )
    french = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Notre avis à nous. Effacement après 9 mois." in french
    assert "Qui détient vos données" not in french
    # Not reworded in Spanish: the default there.
    spanish = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Quién tiene sus datos" in spanish


def test_a_deployer_overrides_the_template(client, settings, tmp_path):
    (tmp_path / "privacy").mkdir()
    (tmp_path / "privacy" / "notice.en.html").write_text(
        "<p>Our lawyers' notice: {{ retention_months }} months.</p>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    settings.RETENTION_MONTHS = 12
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Our lawyers' notice: 12 months." in english
    spanish = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Our lawyers' notice" not in spanish and "Quién tiene sus datos" in spanish
