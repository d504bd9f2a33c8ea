"""What an accepted attachment costs the S3 store, counted at the moto server:
no existence check for its random key, one PUT (not a multipart upload) up to
the size limit, the body streamed from the upload's temporary file."""

import logging
import re

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.urls import reverse

from applications import uploads
from applications.models import Attachment
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

BUCKET = "alliance-attachments"
# Just under the 10 MB limit, above boto3's default 8 MB multipart threshold.
SIZE = 10 * 1024 * 1024 - 4096


def big_pdf(size=SIZE) -> bytes:
    head = pdf_bytes()
    return head + b"%" * (size - len(head))


class MotoRequests:
    """Requests to the bucket as moto's HTTP server logs them (werkzeug)."""

    # werkzeug colours some lines (a 404 HEAD) with terminal escapes.
    LINE = re.compile(
        r'"(?:\x1b\[[0-9;]*m)?(?P<method>[A-Z]+) (?P<path>/' + BUCKET + r"[^ ]*) HTTP"
    )

    def __init__(self, caplog):
        self.caplog = caplog
        caplog.set_level(logging.INFO, logger="werkzeug")

    def during(self, action):
        self.caplog.clear()
        result = action()
        return result, [
            (match["method"], match["path"])
            for record in self.caplog.records
            if record.name == "werkzeug" and (match := self.LINE.search(record.getMessage()))
        ]


def test_a_letter_with_a_10_mb_pdf_makes_one_put_and_no_head(client, aws, caplog):
    content = big_pdf()
    data = form_data(signed_letter=upload("carta.pdf", content))
    response, requests = MotoRequests(caplog).during(
        lambda: client.post(reverse("applications:letter_create"), data)
    )
    assert response.status_code == 302
    key = Attachment.objects.get().key
    assert requests == [("PUT", f"/{BUCKET}/{key}")]
    assert aws.object_bytes(key) == content


def test_a_logo_makes_one_put_and_no_head(aws, caplog):
    key, requests = MotoRequests(caplog).during(lambda: uploads.store_logo(pdf_bytes()))
    assert requests == [("PUT", f"/{BUCKET}/{key}")]


def test_the_file_is_streamed_from_its_temporary_file(aws):
    """No read of the upload asks for more than a megabyte: the PUT's body is
    read from the temporary file as it is sent, never held whole in memory."""
    content = big_pdf()
    temporary = TemporaryUploadedFile("carta.pdf", "application/pdf", len(content), None)
    temporary.write(content)
    temporary.seek(0)
    checked = uploads.check_upload(temporary)
    reads = []
    read = temporary.file.read

    def recording_read(size=-1, *args):
        chunk = read(size, *args)
        reads.append(len(chunk))
        return chunk

    temporary.file.read = recording_read
    key = uploads.store(checked)
    assert aws.object_bytes(key) == content
    assert sum(reads) >= len(content) and max(reads) <= 1024 * 1024
    # Read once, as it is sent: botocore hashes it neither for a CRC32 nor for
    # the payload's signature (config/storage.py).
    assert sum(reads) < 2 * len(content)


def sent_puts(storage) -> list:
    """The PUT requests botocore sends for ``storage``, as it sends them."""
    sent = []
    storage.connection.meta.client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **kwargs: sent.append(request)
    )
    return sent


def test_the_put_is_bound_by_the_signed_sha256_of_the_file(aws):
    """The body goes unsigned, but the file's SHA-256 (the one check_upload took)
    travels in a header that the signature covers, which S3 checks the body
    against: the body cannot change in transit without the request failing."""
    import base64
    import hashlib

    content = big_pdf()
    sent = sent_puts(uploads.attachments_storage())
    key = uploads.store(uploads.check_upload(upload("carta.pdf", content)))
    (request,) = sent
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert request.headers["x-amz-checksum-sha256"].decode() == digest
    assert request.headers["X-Amz-Content-SHA256"] == b"UNSIGNED-PAYLOAD"
    signed = re.search(rb"SignedHeaders=([^,]+)", request.headers["Authorization"]).group(1)
    assert b"x-amz-checksum-sha256" in signed.split(b";")
    assert not any(name.lower().startswith("x-amz-checksum-crc") for name in request.headers)
    assert aws.object_bytes(key) == content


def test_a_logo_made_in_memory_is_hashed_before_its_put(aws):
    import base64
    import hashlib

    sent = sent_puts(uploads.attachments_storage())
    key = uploads.store_logo(pdf_bytes())
    (request,) = sent
    stored = aws.object_bytes(key)
    digest = base64.b64encode(hashlib.sha256(stored).digest()).decode()
    assert request.headers["x-amz-checksum-sha256"].decode() == digest
