"""The S3 storage of attachments (``STORAGES["attachments"]`` when a bucket is set).

Keys of attachments are random by construction (applications/uploads.py), so a
name is never checked for existence first: ``file_overwrite`` skips the HEAD
that S3Storage.get_available_name makes otherwise. Every accepted file is at
most ``ATTACHMENT_MAX_BYTES``, so it goes in one PUT streamed from the upload's
temporary file, never as a multipart upload (three requests or more, each part
read into memory), and in the request's own thread rather than a pool of
transfer threads. Options given in ``STORAGES`` still win.

Every object is stored with ``Content-Disposition: attachment``, so that even a
URL of the bucket opened without our presigned parameters downloads instead of
rendering, and with the content type ``uploads.store()`` gives it (the sniffed
one, never the client's).
"""

from boto3.s3.transfer import TransferConfig
from django.conf import settings
from storages.backends.s3 import S3Storage

MARGIN = 1024 * 1024


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

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        parameters.setdefault("ContentDisposition", "attachment")
        return parameters
