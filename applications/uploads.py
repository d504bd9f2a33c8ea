"""Checking and storing attachments.

A file is accepted by what it contains, never by its name: a PDF must start
with the PDF signature; a DOCX or ODT must be a readable ZIP package with the
parts that format requires. Accepted files are stored on the private
"attachments" storage under a random key.
"""

import hashlib
import logging
import os
import secrets
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from . import antivirus
from .exceptions import StorageUnavailable

logger = logging.getLogger(__name__)

PDF = ("pdf", "application/pdf")
DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
ODT = ("odt", "application/vnd.oasis.opendocument.text")

# A document package with more parts than this, or that inflates beyond this,
# is not a letter: refuse it rather than unpack it (zip bombs).
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_INFLATED = 200 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    extension: str
    content_type: str
    size: int
    sha256: str
    safe_name: str
    # The virus scan at submission (applications/antivirus.py): clean or pending.
    scan: str = "clean"


@dataclass(frozen=True)
class NewFile:
    """A checked file and what it is for (a letter's signed letter, a nominee's CV...)."""

    kind: str
    checked: CheckedFile

    def row_fields(self, key: str) -> dict:
        """The fields of the attachment row of this file, once stored under ``key``."""
        return {
            "kind": self.kind,
            "original_name": self.checked.safe_name,
            "key": key,
            "size": self.checked.size,
            "sha256": self.checked.sha256,
            "content_type": self.checked.content_type,
        }


def warn_files_not_kept(request) -> None:
    """After a refused form that carried files: say that the browser dropped them."""
    if request.method == "POST" and request.FILES:
        messages.warning(
            request,
            _(
                "Your answers are kept below, but browsers do not keep chosen files: "
                "attach them again."
            ),
        )


def attachments_storage():
    return storages["attachments"]


def safe_filename(name: str) -> str:
    """A display name without directories, control characters or excess length."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 120:
        stem, ext = os.path.splitext(name)
        name = stem[: 120 - len(ext)] + ext
    return name or "document"


def _sniff(upload) -> tuple[str, str] | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return None
            if sum(info.file_size for info in infos) > MAX_ZIP_INFLATED:
                return None
            names = {info.filename for info in infos}
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "mimetype" in names and "content.xml" in names:
                mimetype = archive.read("mimetype")[:100].strip()
                if mimetype == ODT[1].encode():
                    return ODT
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    finally:
        upload.seek(0)
    return None


def check_upload(upload) -> CheckedFile:
    """Validate one uploaded file; raise ValidationError with a message for the applicant."""
    name = safe_filename(upload.name)
    limit = settings.ATTACHMENT_MAX_BYTES
    if getattr(upload, "refusal", None) == "submission_too_big":  # config/uploads.py
        raise ValidationError(
            _(
                "“%(name)s” was not taken: the files of one submission may add up to "
                "%(limit)s at most. Send fewer or smaller files."
            )
            % {"name": name, "limit": filesizeformat(settings.SUBMISSION_MAX_BYTES)},
            code="submission_too_big",
        )
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s per file.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    kind = _sniff(upload)
    if kind is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF, DOCX or ODT document (we check the content, "
                "not the name). Please save it as PDF and try again."
            )
            % {"name": name},
            code="bad_type",
        )
    scan, signature = antivirus.scan_upload(upload)
    if scan == antivirus.ScanStatus.INFECTED:
        raise ValidationError(
            _(
                "“%(name)s” was refused: our virus scan found %(virus)s in it. Nothing was "
                "sent. Check your computer, then attach a clean copy of the document."
            )
            % {"name": name, "virus": signature},
            code="infected",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    extension, content_type = kind
    stem = os.path.splitext(name)[0] or "document"
    return CheckedFile(
        upload=upload,
        extension=extension,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        safe_name=f"{stem}.{extension}",
        scan=scan,
    )


def new_key(checked: CheckedFile) -> str:
    """A new random key for a checked file (random by construction: never taken)."""
    return f"letters/{secrets.token_urlsafe(24)}.{checked.extension}"


def write(checked: CheckedFile, key: str) -> None:
    """Write the file's bytes under ``key`` on the attachments storage. Touches no
    database, so it may run in another thread (``StoredFiles.store``)."""
    checked.upload.seek(0)
    # The storage takes the content type from the file object: the upload's is
    # what the client said (text/html for anything); this one is what we sniffed.
    content = File(checked.upload, name=key)
    content.content_type = checked.content_type
    # The digest already taken: the S3 storage sends it as the PUT's checksum
    # instead of reading the file again to hash it (config/storage.py).
    content.sha256 = checked.sha256
    saved = attachments_storage().save(key, content)
    if saved != key:  # the rows already name ``key``: never keep a file under another
        attachments_storage().delete(saved)
        raise FileExistsError(f"{key} was stored as {saved}")


def store(checked: CheckedFile) -> str:
    """Write the file under a new random key and return the key."""
    key = new_key(checked)
    write(checked, key)
    antivirus.record(key, checked.scan)
    return key


def store_or_refuse(checked: CheckedFile, stored: list[str], *, refused: str) -> str:
    """Store a checked file and add its key to ``stored`` (for the clean-up if the
    submission fails later); if the store is unreachable, raise StorageUnavailable
    with ``refused``, the message for the person submitting."""
    try:
        key = store(checked)
    except STORE_ERRORS as exc:
        logger.exception("attachment store failed")
        raise StorageUnavailable(refused) from exc
    stored.append(key)
    return key


STORE_ERRORS = (OSError, BotoCoreError, ClientError)
_writers: tuple[tuple[int, int], ThreadPoolExecutor] | None = None
_writers_lock = threading.Lock()


def _writer_pool() -> ThreadPoolExecutor:
    """The process's threads that write attachments: made in the process that uses
    them (threads do not survive a fork), anew if ATTACHMENT_WRITE_THREADS changed."""
    global _writers
    wanted = (os.getpid(), max(1, settings.ATTACHMENT_WRITE_THREADS))
    with _writers_lock:
        if _writers is None or _writers[0] != wanted:
            if _writers is not None and _writers[0][0] == wanted[0]:
                _writers[1].shutdown(wait=False)  # its threads end when their work does
            pool = ThreadPoolExecutor(max_workers=wanted[1], thread_name_prefix="attachments")
            _writers = (wanted, pool)
        return _writers[1]


class OrphanFile(models.Model):
    """A stored file whose record was rolled back and that could not be deleted then
    (the store was down). The daily retention run deletes it once the store is back."""

    key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return self.key


@dataclass
class _Write:
    """One file being written: its key, and the message if the write fails (set
    once a row names the key)."""

    new: NewFile
    key: str
    future: Future
    refused: str | None = None


class StoredFiles:
    """The files one submission stored, and whether its transaction committed.

    Files are written while the submission goes on, in the process's writer
    threads: ``start`` begins the writes at the submission's outset, ``store``
    records each file's row under the key it will have, so that the upload to S3
    runs alongside the rest of the submission (its own rows, its revision, its
    emails queued in the outbox) rather than in front of it, and a letter's files
    go up together. ``atomic_with_files`` waits for every write before the
    transaction commits: a write that failed rolls everything back, and no row
    ever commits naming a file that is not stored."""

    def __init__(self):
        self.keys: list[str] = []
        self.committed = False
        self._writes: list[_Write] = []

    def _commit(self) -> None:
        self.committed = True

    def start(self, files: Iterable[NewFile]) -> None:
        """Start writing the files now, before the rows that will name them can be
        written (they need the letter's, or the nomination's, own row first)."""
        for new in files:
            key = new_key(new.checked)
            self.keys.append(key)
            self._writes.append(_Write(new, key, _writer_pool().submit(write, new.checked, key)))

    def store(self, files: Iterable[NewFile], *, refused: str, record: Callable) -> None:
        """Write each file (or take the write ``start`` began for it) and call
        ``record(new_file, key)`` to write its row; if the store is unreachable,
        the transaction's end raises StorageUnavailable with ``refused``."""
        for new in files:
            started = [w for w in self._writes if w.new is new and w.refused is None]
            if not started:
                self.start([new])
                started = [self._writes[-1]]
            started[0].refused = refused
            antivirus.record(started[0].key, new.checked.scan)
            record(new, started[0].key)

    def wait(self) -> None:
        """Wait for every write; the first that failed raises StorageUnavailable."""
        writes, self._writes = self._writes, []
        failures, unnamed = [], []
        for w in writes:
            try:
                w.future.result()
            except STORE_ERRORS as exc:
                if w.refused is not None:
                    failures.append((w.refused, exc))
            if w.refused is None:  # started, but no row names it: it would be lost
                logger.error("%s was written but no row names it; deleted", w.key)
                unnamed.append(w.key)
        delete_quietly(unnamed)
        if failures:
            refused, exc = failures[0]
            logger.error("attachment store failed", exc_info=exc)
            raise StorageUnavailable(
                refused or _("We could not store your file just now.")
            ) from exc

    def wait_quietly(self) -> None:
        """Wait for the writes still running (before their files are deleted)."""
        writes, self._writes = self._writes, []
        for w in writes:
            try:
                w.future.result()
            except Exception:  # noqa: BLE001 - a failed write left nothing to delete
                logger.debug("write of %s failed during a rollback", w.key, exc_info=True)


@contextmanager
def atomic_with_files():
    """A transaction (``transaction.atomic``) whose stored files go if it does not commit.

    Yields a ``StoredFiles``. The files' writes are waited for before the commit;
    if one failed, StorageUnavailable is raised inside the transaction. If the block
    raises, the writes still running are waited for, the files it stored are
    deleted (``delete_quietly``) and the exception goes on. Its first on-commit
    callback marks it committed: from then on the files belong to a saved row,
    whatever a later callback (queuing mail) raises.
    """
    files = StoredFiles()
    try:
        with transaction.atomic():
            transaction.on_commit(files._commit)
            yield files
            files.wait()
    except BaseException:
        files.wait_quietly()
        if not files.committed:
            delete_quietly(files.keys)
        raise


def delete_quietly(keys) -> None:
    """Remove files whose database rows were rolled back; never raise.

    A file that cannot be deleted now (the store is down: often the very failure
    being cleaned up after) is remembered as an ``OrphanFile``, and
    ``orphan_files_delete`` (the daily retention run) deletes it later.
    """
    storage = attachments_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # noqa: BLE001 - best effort clean-up after a failure
            logger.warning("could not delete %s now; it will be retried", key, exc_info=True)
            try:
                OrphanFile.objects.get_or_create(key=key)
            except Exception:  # noqa: BLE001 - the database may be what failed
                logger.exception("orphan file %s not recorded", key)


def orphan_files_delete() -> int:
    """Delete the files remembered by ``delete_quietly``; returns how many went."""
    storage = attachments_storage()
    deleted = 0
    for orphan in OrphanFile.objects.order_by("pk"):
        try:
            storage.delete(orphan.key)
        except Exception:  # noqa: BLE001 - still down: try again next time
            OrphanFile.objects.filter(pk=orphan.pk).update(attempts=orphan.attempts + 1)
            continue
        orphan.delete()
        deleted += 1
    return deleted


LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4000 * 4000
LOGO_SIZE = (400, 400)


def check_logo(upload) -> bytes:
    """Validate an uploaded logo and return it re-encoded as a PNG of at most 400x400.

    Re-encoding keeps only pixels: whatever else the file carried (scripts in an
    SVG disguised as PNG, trailing data) is dropped.
    """
    # Pillow is loaded by the processes that check a logo, not by every one.
    from PIL import Image, UnidentifiedImageError

    name = safe_filename(upload.name)
    if upload.size > LOGO_MAX_BYTES or getattr(upload, "refusal", None):
        raise ValidationError(
            _("“%(name)s” is %(size)s; a logo may be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(LOGO_MAX_BYTES),
            }
        )
    scan, signature = antivirus.scan_upload(upload)
    if scan == antivirus.ScanStatus.INFECTED:
        raise ValidationError(
            _(
                "“%(name)s” was refused: our virus scan found %(virus)s in it. Nothing was "
                "sent. Check your computer, then attach a clean copy of the document."
            )
            % {"name": name, "virus": signature},
            code="infected",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ("PNG", "JPEG", "WEBP"):
                raise ValidationError(_("A logo must be a PNG, JPEG or WebP image."))
            if image.width * image.height > LOGO_MAX_PIXELS:
                raise ValidationError(_("This image is too large; use one under 4000×4000 pixels."))
            image.load()
            logo = image.convert("RGBA")
            logo.thumbnail(LOGO_SIZE)
            out = BytesIO()
            logo.save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("“%(name)s” is not an image we can read. Use a PNG, JPEG or WebP file.")
            % {"name": name}
        ) from exc
    finally:
        upload.seek(0)


def store_logo(png: bytes) -> str:
    """Store a logo re-encoded by ``check_logo``. Its original was scanned there;
    the PNG we wrote is scanned as it is stored (pending while clamd is down)."""
    key = attachments_storage().save(f"logos/{secrets.token_urlsafe(24)}.png", ContentFile(png))
    antivirus.record(key, antivirus.scan_upload(ContentFile(png))[0])
    return key


class FileHeld(Exception):
    """A stored file not served: its virus scan is not done ("pending") or found
    a virus ("infected"). ``config.middleware.FileHeldMiddleware`` answers it."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


def stored_file_response(key: str, *, content_type: str, download_name: str | None = None):
    """Serve a file of the private "attachments" storage.

    S3: a redirect to a presigned URL that expires within a minute. Local files:
    streamed. With ``download_name`` always as a download (``Content-Disposition:
    attachment``), never rendered inline; without it (re-encoded logos) inline.
    """
    status = antivirus.served_status(key)
    if status != antivirus.ScanStatus.CLEAN:
        raise FileHeld(status)
    storage = attachments_storage()
    if hasattr(storage, "bucket_name"):
        parameters = {"ResponseContentType": content_type}
        if download_name:
            parameters["ResponseContentDisposition"] = content_disposition_header(
                True, download_name
            )
            # A document of a person or organisation: no copy in any cache.
            parameters["ResponseCacheControl"] = "no-store, private"
        return redirect(storage.url(key, parameters=parameters))
    try:
        handle = storage.open(key, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("This file is no longer stored.")) from exc
    return FileResponse(
        handle,
        as_attachment=bool(download_name),
        filename=download_name or "",
        content_type=content_type,
    )
