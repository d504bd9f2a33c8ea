"""Every promised document (issue 13 item 6): the brand manual is a file the Secretariat
uploads in the admin, per language; the approval email and the onboarding page link to it
through a download view; nobody is asked to say they received a manual that does not exist."""

import re

import pytest
import requests
from django.urls import reverse

from applications.links import onboarding_token
from applications.models import Letter, OnboardingDocument
from notifications.models import OutboxMessage
from tests.access_world import onboarding_document
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

CHECKLIST = {
    "name": "Red de Cuidados del Norte",
    "description": "Centros comunitarios de cuidado.",
    "contacts": "ana@norte.example.org",
}


def onboarding(letter):
    return reverse("member_onboarding", args=[onboarding_token(letter)])


def test_without_a_manual_nobody_is_asked_to_acknowledge_one(client, make_letter):
    letter = make_letter("approved")
    html = client.get(onboarding(letter)).content.decode()
    assert "brand_manual_acknowledged" not in html
    assert client.post(onboarding(letter), CHECKLIST).status_code == 302
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.status == "onboarded"
    assert letter.onboarding.brand_manual_acknowledged is False


def test_the_manual_in_the_members_language_is_linked_from_email_and_page(client, make_letter, aws):
    onboarding_document(language="es", title="Manual de marca")
    french = onboarding_document(language="fr", title="Charte graphique")
    letter = make_letter("approved", language="fr")
    email = OutboxMessage.objects.get(event="letter_approved", audience="applicant")
    links = re.findall(r"- Charte graphique: http://testserver(\S+)", email.body_text)
    assert len(links) == 1 and "Manual de marca" not in email.body_text
    assert links[0].endswith(f"/documents/{french.pk}/")
    page = client.get(onboarding(letter)).content.decode()
    assert "Charte graphique" in page and 'name="brand_manual_acknowledged"' in page
    # The link serves the file, as a download, through a presigned URL of the private bucket.
    response = client.get(links[0])
    assert response.status_code == 302
    assert "attachment" in requests.utils.unquote(response["Location"])
    assert requests.get(response["Location"], timeout=10).content == pdf_bytes("Manual de marca")
    # Another letter's link opens it too (it is for every new member), a forged one does not.
    token = links[0].split("/onboarding/")[1].split("/")[0]  # as signed when it was sent
    assert client.get(links[0].replace(token, "forged")).status_code == 404


def test_a_retired_document_is_not_served(client, make_letter):
    document = onboarding_document()
    letter = make_letter("approved")
    url = reverse("member_onboarding_document", args=[onboarding_token(letter), document.pk])
    OnboardingDocument.objects.filter(pk=document.pk).update(is_active=False)
    assert client.get(url).status_code == 404


def test_the_admin_checks_the_upload_by_content(admin_client, aws):
    url = reverse("admin:applications_onboardingdocument_add")
    fields = {"kind": "brand_manual", "title": "Manual", "language": "es", "is_active": "on"}
    refused = admin_client.post(url, {**fields, "upload": upload("manual.pdf", b"<script>")})
    assert refused.status_code == 200
    assert "is not a PDF, DOCX or ODT document" in refused.content.decode()
    assert OnboardingDocument.objects.count() == 0 and aws.object_keys() == []
    admin_client.post(url, {**fields, "upload": upload("manual.pdf", pdf_bytes("Manual"))})
    document = OnboardingDocument.objects.get()
    assert aws.object_bytes(document.key) == pdf_bytes("Manual")


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_no_email_mentions_a_manual_without_its_link(make_letter, language):
    """Without a brand manual configured, no sentence of the approval, the welcome or
    the onboarding reminder speaks of it (issue 13 item 6)."""
    from notifications.services import letter_context, render_email

    letter = make_letter("onboarded", language=language)
    manual = {"es": "Manual de Identidad", "en": "brand manual", "fr": "charte graphique"}
    bodies = [
        row.body_text
        for row in OutboxMessage.objects.filter(
            event__in=["letter_approved", "letter_onboarded"],
            audience__in=["applicant", "new_member"],
        )
    ]
    bodies.append(
        render_email(
            event="letter_onboarding_reminder",
            audience="new_member",
            language=language,
            context=letter_context(letter),
        )["body_text"]
    )
    assert len(bodies) == 3
    for body in bodies:
        assert manual[language].lower() not in body.lower(), body


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_every_email_that_mentions_the_manual_links_to_its_download(
    client, make_letter, aws, language
):
    document = onboarding_document(language=language, title="Manual")
    letter = make_letter("onboarded", language=language)
    from notifications.services import letter_context, render_email

    welcome = OutboxMessage.objects.get(event="letter_onboarded", audience="new_member").body_text
    reminder = render_email(
        event="letter_onboarding_reminder",
        audience="new_member",
        language=language,
        context=letter_context(letter),
    )["body_text"]
    for body in (welcome, reminder):
        [link] = re.findall(rf"http://testserver(\S+/documents/{document.pk}/)", body)
        response = client.get(link)
        assert response.status_code == 302  # the presigned download of the private bucket
        assert requests.get(response["Location"], timeout=10).content == pdf_bytes(
            "Manual de marca"
        )
