"""The public letter form and its bad inputs: each gets a clear message, the
typed data stays in the form, and nothing half-saved remains."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.models import Attachment, Letter
from notifications.models import OutboxMessage
from tests.factories import form_data
from tests.files import docx_bytes, odt_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

URL = reverse("applications:letter_create")


def post(client, **extra):
    data = form_data(organisation_name="Colectivo Cuidar", contact_email="c@cuidar.example.org")
    data.update(extra)
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")


def assert_nothing_saved(aws):
    assert Letter.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert aws.object_keys() == []


def test_form_page_has_labels_for_every_field(client):
    html = client.get(URL).content.decode()
    for field in ("organisation_name", "contact_email", "care_work", "motivation", "signed_letter"):
        assert f'for="id_{field}"' in html


@pytest.mark.parametrize(
    "name,content,expected_type",
    [
        ("carta.pdf", pdf_bytes(), "application/pdf"),
        (
            "carta.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("carta.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_accepted_documents_are_stored_privately_under_a_random_key(
    client, aws, name, content, expected_type
):
    response = post(client, signed_letter=upload(name, content))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == expected_type
    assert name.split(".")[0] not in attachment.key
    assert aws.object_bytes(attachment.key) == content
    acl = aws.s3.get_object_acl(Bucket="alliance-attachments", Key=attachment.key)
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in acl["Grants"])


def test_file_over_10_mb_is_refused_and_answers_are_kept(client, aws):
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    response = post(client, signed_letter=upload("big.pdf", big))
    assert response.status_code == 400
    html = response.content.decode()
    assert "the limit is 10.0\xa0MB per file" in html
    assert 'value="Colectivo Cuidar"' in html
    assert_nothing_saved(aws)


def test_file_whose_content_is_not_a_document_is_refused(client, aws):
    response = post(client, signed_letter=upload("letter.pdf", b"<html><script>alert(1)</script>"))
    assert response.status_code == 400
    assert "is not a PDF, DOCX or ODT document" in response.content.decode()
    assert_nothing_saved(aws)


def test_zip_that_is_not_a_word_document_is_refused(client, aws):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", "MZ")
    response = post(client, other_files=[upload("letter.docx", buffer.getvalue())])
    assert response.status_code == 400
    assert "is not a PDF, DOCX or ODT document" in response.content.decode()
    assert_nothing_saved(aws)


@pytest.mark.parametrize(
    "field", ["organisation_name", "contact_email", "care_work", "constituency"]
)
def test_missing_required_field_is_named_and_the_rest_kept(client, aws, field):
    response = post(client, **{field: ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert "c@cuidar.example.org" in html or field == "contact_email"
    assert_nothing_saved(aws)


def test_privacy_consent_is_required(client, aws):
    data = form_data()
    del data["consent_privacy"]
    response = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "privacy notice" in response.content.decode()
    assert_nothing_saved(aws)


def test_second_click_on_submit_creates_no_second_letter(client, aws):
    key = "6f1c1c9e-8c31-4bd4-a6f1-0c1f3f0b7a11"
    # The confirmation link is signed with the time; hold the clock so that both
    # clicks, if they lead to the same letter, get the same link.
    with time_machine.travel(timezone.now(), tick=False):
        first = post(client, idempotency_key=key, signed_letter=upload("a.pdf", pdf_bytes()))
        second = post(client, idempotency_key=key, signed_letter=upload("a.pdf", pdf_bytes()))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Letter.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert len(aws.object_keys()) == 1
    assert OutboxMessage.objects.filter(event="letter_submitted", audience="applicant").count() == 1


def test_s3_outage_keeps_answers_and_saves_nothing(client, aws, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            **settings.STORAGES["attachments"],
            "OPTIONS": {
                **settings.STORAGES["attachments"]["OPTIONS"],
                "endpoint_url": "http://127.0.0.1:9",  # nothing listens there
            },
        },
    }
    response = post(client, signed_letter=upload("carta.pdf", pdf_bytes()))
    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not store your file just now" in html
    assert 'value="Colectivo Cuidar"' in html
    assert Letter.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
