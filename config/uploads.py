"""Size caps applied while a request's files stream in, before any form sees them.

Django's own handlers keep the whole of every uploaded file (in memory or in a
temporary file) and only then does a form refuse one that is too big: a 60 MB
upload was read and written to disk before its 10 MB refusal, and six 9 MB
files (54 MB) went through. ``CappedUploadHandler`` runs before them:

- past ``ATTACHMENT_MAX_BYTES`` a file's further bytes are dropped as they come
  (memory stays at one 64 KB chunk), the part already stored by the next handler
  is freed, and the form gets a ``RefusedUpload`` in its place, whose size is the
  real one: ``applications.uploads.check_upload`` refuses it with the rule;
- a file that would take the request's files past ``SUBMISSION_MAX_BYTES``
  (default 30 MB) is refused the same way, with that rule;
- the rest of the body is still read, without keeping file bytes, so that
  the fields after the files arrive and the form comes back with everything
  typed. A body larger than ``UPLOAD_READ_MAX_BYTES`` (three times the
  submission cap) is not read at all: ``BodyCeilingMiddleware`` answers it with
  the 413 page, which states both rules; the browser's Back button has the form
  as it was typed.
"""

import io
import logging

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

logger = logging.getLogger(__name__)

TOO_BIG = "too_big"
SUBMISSION_TOO_BIG = "submission_too_big"


class RefusedUpload(UploadedFile):
    """Stands in for a file whose bytes were not kept; ``refusal`` says why."""

    def __init__(self, *, name, content_type, size, charset, refusal):
        super().__init__(io.BytesIO(b""), name, content_type, size, charset)
        self.refusal = refusal


def read_ceiling() -> int:
    return getattr(settings, "UPLOAD_READ_MAX_BYTES", None) or 3 * settings.SUBMISSION_MAX_BYTES


class CappedUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: passes chunks on while within the caps."""

    def __init__(self, request=None):
        super().__init__(request)
        self.accepted_total = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.seen = 0
        self.refusal = None

    def receive_data_chunk(self, raw_data, start):
        self.seen += len(raw_data)
        if self.refusal is None:
            if self.seen > settings.ATTACHMENT_MAX_BYTES:
                self._refuse(TOO_BIG)
            elif self.accepted_total + self.seen > settings.SUBMISSION_MAX_BYTES:
                self._refuse(SUBMISSION_TOO_BIG)
        return None if self.refusal else raw_data

    def _refuse(self, refusal):
        self.refusal = refusal
        logger.info("upload %r refused while streaming: %s", self.file_name, refusal)
        # What the handlers after this one kept of the file so far is freed now.
        handlers = getattr(self.request, "upload_handlers", []) if self.request else []
        for handler in handlers:
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()

    def file_complete(self, file_size):
        if self.refusal is None:
            self.accepted_total += self.seen
            return None  # the next handler returns the file it kept
        return RefusedUpload(
            name=self.file_name,
            content_type=self.content_type,
            size=self.seen,
            charset=self.charset,
            refusal=self.refusal,
        )


def too_large_page(request, status=413):
    return render(
        request,
        "413.html",
        {
            "file_limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            "submission_limit": filesizeformat(settings.SUBMISSION_MAX_BYTES),
        },
        status=status,
    )


class BodyCeilingMiddleware:
    """A POST announcing a body beyond ``read_ceiling()`` gets the 413 page, unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > read_ceiling():
                logger.warning("refused a %d-byte body on %s unread", length, request.path)
                response = too_large_page(request)
                response["Connection"] = "close"
                return response
        return self.get_response(request)
