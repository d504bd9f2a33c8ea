"""The S3 storage of attachments (``STORAGES["attachments"]`` when a bucket is set).

Keys of attachments are random by construction (applications/uploads.py), so a
name is never checked for existence first: ``file_overwrite`` skips the HEAD
that S3Storage.get_available_name makes otherwise. Every accepted file is at
most ``ATTACHMENT_MAX_BYTES``, so it goes in one PUT streamed from the upload's
temporary file, never as a multipart upload (three requests or more, each part
read into memory), and in the request's own thread rather than a pool of
transfer threads. Options given in ``STORAGES`` still win.

The body is read once, as it is sent. botocore would otherwise read it twice
more before sending: for a CRC32 checksum, and, over plain HTTP, for the SHA-256
of its payload signature. ``uploads.check_upload`` has already hashed the file
with SHA-256, so each PUT carries that digest as ``x-amz-checksum-sha256``, a
header the request's signature covers, and S3 refuses a body that does not
match it (BadDigest). The payload is then sent as ``UNSIGNED-PAYLOAD``: the
signed header binds the body as the payload signature would, with the same hash,
over HTTP as over HTTPS. Content without a known digest (a logo, made in memory)
is hashed here first, so that no PUT goes without one.

Every object is stored with ``Content-Disposition: attachment``, so that even a
URL of the bucket opened without our presigned parameters downloads instead of
rendering, and with the content type ``uploads.store()`` gives it (the sniffed
one, never the client's).
"""

import base64
import hashlib

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from django.conf import settings
from storages.backends.s3 import S3Storage

MARGIN = 1024 * 1024


def sha256_base64(content) -> str:
    """The SHA-256 of ``content`` as S3 wants it (base64): the hex digest the
    caller put in ``content.sha256``, or one computed now, read in chunks."""
    known = getattr(content, "sha256", None)
    if known:
        return base64.b64encode(bytes.fromhex(known)).decode()
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in iter(lambda: content.read(1024 * 1024), b""):
        digest.update(chunk if isinstance(chunk, bytes) else chunk.encode())
    content.seek(0)
    return base64.b64encode(digest.digest()).decode()


class AttachmentS3Storage(S3Storage):
    def __init__(self, **options):
        options.setdefault("file_overwrite", True)
        options.setdefault(
            "transfer_config",
            TransferConfig(
                multipart_threshold=settings.ATTACHMENT_MAX_BYTES + MARGIN, use_threads=False
            ),
        )
        super().__init__(**options)
        # The body is bound by the signed x-amz-checksum-sha256 header that
        # _get_write_parameters adds to every PUT, not by hashing it again.
        self.client_config = self.client_config.merge(
            Config(s3={**(self.client_config.s3 or {}), "payload_signing_enabled": False})
        )

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        parameters.setdefault("ContentDisposition", "attachment")
        return parameters

    def _get_write_parameters(self, name, content=None):
        parameters = super()._get_write_parameters(name, content)
        if content is not None:
            parameters["ChecksumSHA256"] = sha256_base64(content)
        return parameters
