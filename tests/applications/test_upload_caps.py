"""Size caps while the body streams in (config/uploads.py): a file past
ATTACHMENT_MAX_BYTES and files past SUBMISSION_MAX_BYTES are refused with their
rule before they are stored, and the form comes back with every typed answer."""

import pytest
from django.urls import reverse

from applications.models import Letter
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
URL = reverse("applications:letter_create")


def pdf_of(size: int) -> bytes:
    head = pdf_bytes()
    return head + b"%" + b"0" * (size - len(head) - 1)


def test_a_file_past_the_limit_is_dropped_as_it_streams_and_the_answers_come_back(
    client, aws, upload_spy
):
    # The file first: the fields after it in the body must still arrive.
    data = {"signed_letter": upload("huge.pdf", pdf_of(25 * MB)), **form_data()}
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“huge.pdf” is 25.0\xa0MB; the limit is 10.0\xa0MB per file." in html
    assert data["organisation_name"] in html
    assert data["motivation"][:40] in html
    # Nothing past the cap reached the handlers that keep files.
    assert upload_spy.most <= 10 * MB + 64 * 1024
    assert not Letter.objects.exists()
    assert aws.object_keys() == []


def test_files_past_the_submission_limit_are_refused_with_that_rule(client, aws, settings):
    """Four 9 MB files (36 MB) under a 30 MB cap: the fourth is refused, so is the letter."""
    assert settings.SUBMISSION_MAX_BYTES == 30 * MB  # the default
    data = form_data()
    data["signed_letter"] = upload("carta.pdf", pdf_of(9 * MB))
    data["other_files"] = [upload(f"anexo{n}.pdf", pdf_of(9 * MB)) for n in range(1, 4)]
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "“anexo3.pdf” was not taken: the files of one submission may add up to 30.0\xa0MB" in html
    )
    assert data["organisation_name"] in html
    assert not Letter.objects.exists()
    assert aws.object_keys() == []


def test_within_both_limits_the_files_are_stored(client, aws):
    data = form_data()
    data["signed_letter"] = upload("carta.pdf", pdf_of(9 * MB))
    data["other_files"] = [upload("anexo.pdf", pdf_of(9 * MB))]
    assert client.post(URL, data).status_code == 302
    assert len(aws.object_keys()) == 2


def test_a_body_far_beyond_the_limits_gets_the_413_page_unread(client, settings):
    body = b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n"
    response = client.generic(
        "POST",
        URL,
        body,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * MB),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "10,0\xa0Mio" in html and "30,0\xa0Mio" in html
    assert "Retour" in html or "retour" in html
