"""Files from strangers: refused with a message, or stored under a generated key
and always served as a download, never inline."""

import io
import zipfile

import pytest
from django.urls import reverse

from applications.links import status_token
from applications.models import Attachment, Letter
from applications.uploads import DOCX, safe_filename
from tests.conftest import BUCKET
from tests.factories import form_data
from tests.files import docx_bytes, odt_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

URL = reverse("applications:letter_create")


def post_file(client, name, content):
    data = form_data()
    data["signed_letter"] = upload(name, content)
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (300 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content",
    [
        ("empty.pdf", b""),
        ("page.pdf", b"<html><body onload=alert(1)>"),
        ("image.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("letter.pdf.exe", b"MZ\x90\x00"),
        ("bomb.docx", zip_bomb()),
    ],
    ids=["zero-bytes", "html-as-pdf", "svg-as-pdf", "exe", "docx-zip-bomb"],
)
def test_hostile_files_are_refused_and_nothing_is_stored(client, aws, name, content):
    response = post_file(client, name, content)
    assert response.status_code == 400
    assert Letter.objects.count() == 0
    assert aws.object_keys() == []


@pytest.mark.parametrize(
    "name,expected",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
        ("carta\x00\r\nX-Evil: 1.pdf", "cartaX-Evil: 1.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
        ("carta.pdf.pdf", "carta.pdf.pdf"),
    ],
)
def test_file_names_are_made_safe(name, expected):
    assert safe_filename(name) == expected


def test_pdf_with_javascript_is_stored_under_a_random_key_and_served_as_download(client, aws):
    content = pdf_bytes().replace(
        b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"
    )
    response = post_file(client, '../"evil"\r\n.pdf', content)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.key.startswith("letters/") and "evil" not in attachment.key
    letter = Letter.objects.get()
    download = client.get(
        reverse("applications:letter_attachment", args=[status_token(letter), attachment.pk])
    )
    location = download["Location"]
    assert "response-content-disposition=attachment" in location
    assert "%0D" not in location and "%0A" not in location


def test_on_local_storage_files_are_streamed_as_downloads(client, settings, tmp_path):
    """The laptop default (no S3): the file is streamed, still never inline."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    content = pdf_bytes()
    assert post_file(client, "carta firmada.pdf", content).status_code == 302
    letter = Letter.objects.get()
    attachment = letter.attachments.get()
    response = client.get(
        reverse("applications:letter_attachment", args=[status_token(letter), attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == content
    assert (tmp_path / attachment.key).read_bytes() == content


def test_a_50_mb_file_is_refused_with_the_limit_and_nothing_is_stored(client, aws):
    huge = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    response = post_file(client, "huge.pdf", huge)
    assert response.status_code == 400
    assert "the limit is 10.0\xa0MB per file" in response.content.decode()
    assert not Letter.objects.exists()
    assert aws.object_keys() == []


@pytest.mark.parametrize(
    "name,content,stored_type",
    [
        ("carta.pdf", pdf_bytes(), "application/pdf"),
        ("carta.html", docx_bytes(), DOCX[1]),
        ("carta", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
    ids=["pdf", "docx-named-html", "odt-without-extension"],
)
def test_the_bucket_stores_the_sniffed_type_as_a_download_whatever_the_client_said(
    client, aws, name, content, stored_type
):
    """Sent as text/html, a document is stored as what it is, and as an attachment:
    even a bare URL of the bucket would not render it."""
    data = form_data()
    data["signed_letter"] = upload(name, content, content_type="text/html")
    assert client.post(URL, data).status_code == 302
    (key,) = aws.object_keys()
    head = aws.s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == stored_type
    assert head["ContentDisposition"] == "attachment"
