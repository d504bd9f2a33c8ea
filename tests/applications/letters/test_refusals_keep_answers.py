"""Refusals that keep the answers (issue 13 item 8): an over-long file name is cleaned and
kept; a refused file with one is named, shortened, with every typed answer in place."""

import pytest
from django.urls import reverse

from applications.models import Letter
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

URL = reverse("applications:letter_create")
LONG = "informe-anual-" + "x" * 2000


def test_a_2000_character_file_name_is_cleaned_and_kept(client, aws):
    data = form_data(organisation_name="Red del Nombre Largo")
    data["signed_letter"] = upload(LONG + ".pdf", pdf_bytes())
    response = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    attachment = Letter.objects.get().attachments.get()
    assert len(attachment.original_name) <= 120
    assert attachment.original_name.startswith("informe-anual-xxx")
    assert attachment.original_name.endswith(".pdf")


def test_a_refused_file_with_a_long_name_is_named_and_the_answers_stay(client, aws):
    data = form_data(organisation_name="Red del Nombre Largo", motivation="Motivo escrito.")
    data["signed_letter"] = upload(LONG + ".pdf", b"not a document")
    response = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a PDF, DOCX or ODT document" in html
    assert "informe-anual-xxx" in html and LONG not in html
    assert 'value="Red del Nombre Largo"' in html and "Motivo escrito." in html
    assert Letter.objects.count() == 0 and aws.object_keys() == []
