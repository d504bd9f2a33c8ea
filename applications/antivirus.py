"""Virus scanning of every stored file by clamd, when ``CLAMD_ADDRESS`` is set.

Files come from organisations nobody here knows: letters and their extra
questions' files, nominations' CVs and endorsements, member logos. With
``CLAMD_ADDRESS`` (``tcp://host:3310``, ``host:3310`` or a unix socket path), each
one is sent to clamd over its INSTREAM protocol (spoken here, in a few lines):

- at submission (``uploads.check_upload``, ``check_logo``): an infected file is
  refused with a message naming the file, and the form keeps every typed answer;
  a clean one is stored as clean;
- when clamd cannot be reached then, the file is stored "pending": it can be
  downloaded by nobody (a page says the scan is not done yet) until a later scan
  finds it clean. ``scan_pending`` (a periodic task, every few minutes) scans the
  pending files again from the storage; a file found infected then is
  quarantined: never served, and the Secretariat is told (event
  ``file_quarantined``). clamd down never marks a file clean.

Without ``CLAMD_ADDRESS`` nothing is scanned and every file is served as before.
Each file's state is a ``ScannedFile`` row, keyed by its storage key.
"""

import logging
import socket
import struct
from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import storages
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached, or did not give a verdict."""


class ScanStatus(models.TextChoices):
    PENDING = "pending", _("waiting for its virus scan")
    CLEAN = "clean", _("clean")
    INFECTED = "infected", _("quarantined")


class ScannedFile(models.Model):
    """The virus-scan state of one stored file (``key`` on the attachments storage)."""

    key = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=ScanStatus, default=ScanStatus.PENDING)
    signature = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="scannedfile_status")]

    def __str__(self):
        return f"{self.key}: {self.status}"


def enabled() -> bool:
    return bool(settings.CLAMD_ADDRESS)


def _connect() -> socket.socket:
    address = settings.CLAMD_ADDRESS
    timeout = settings.CLAMD_TIMEOUT_SECONDS
    try:
        if address.startswith("unix://") or address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address.removeprefix("unix://"))
            return sock
        host, _sep, port = address.removeprefix("tcp://").rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable(f"clamd at {address}: {exc}") from exc


def scan_chunks(chunks: Iterable[bytes]) -> str | None:
    """Send the bytes to clamd (INSTREAM); return the signature found, or None if
    clean. Raises ScannerUnavailable if clamd gives no verdict."""
    sock = _connect()
    try:
        sock.sendall(b"zINSTREAM\0")
        for chunk in chunks:
            for start in range(0, len(chunk), CHUNK):
                part = chunk[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(part)) + part)
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            reply += data
    except OSError as exc:
        raise ScannerUnavailable(f"clamd at {settings.CLAMD_ADDRESS}: {exc}") from exc
    finally:
        sock.close()
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Signature FOUND", "... ERROR"
    _name, _sep, verdict = answer.partition(": ")
    if verdict == "OK":
        return None
    if verdict.endswith(" FOUND"):
        return verdict.removesuffix(" FOUND")
    raise ScannerUnavailable(f"clamd answered {answer!r}")


def scan_upload(upload) -> tuple[str, str]:
    """Scan an uploaded file at submission: (status, signature). Never raises:
    clamd unreachable gives "pending"; without CLAMD_ADDRESS, "clean"."""
    if not enabled():
        return ScanStatus.CLEAN, ""
    upload.seek(0)
    try:
        signature = scan_chunks(upload.chunks())
    except ScannerUnavailable:
        logger.warning(
            "virus scan unavailable at submission: the file stays pending", exc_info=True
        )
        return ScanStatus.PENDING, ""
    finally:
        upload.seek(0)
    if signature:
        logger.warning("infected upload refused: %s", signature)
        return ScanStatus.INFECTED, signature
    return ScanStatus.CLEAN, ""


def record(key: str, status: str) -> None:
    """Remember the state of a file just stored under ``key`` (in the caller's
    transaction: the row goes if the submission is rolled back)."""
    if not enabled():
        return
    ScannedFile.objects.create(
        key=key, status=status, scanned_at=timezone.now() if status == ScanStatus.CLEAN else None
    )


def served_status(key: str) -> str:
    """Whether the file may be served: "clean", "pending" or "infected". A file
    stored before scanning was turned on is pending until the periodic scan."""
    if not enabled():
        return ScanStatus.CLEAN
    row = ScannedFile.objects.filter(key=key).only("status").first()
    if row is None:
        ScannedFile.objects.get_or_create(key=key)
        return ScanStatus.PENDING
    return row.status


def _stored_chunks(key: str):
    # The attachments storage itself, not uploads.attachments_storage: uploads imports
    # this module.
    with storages["attachments"].open(key, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def scan_pending(*, limit: int = 200) -> dict[str, int]:
    """Scan the pending files again from the storage (oldest first). Clean ones are
    released; infected ones quarantined, with the event ``file_quarantined``; while
    clamd (or the storage) is unreachable, they stay pending. Returns the counts."""
    from . import events

    counts = {"clean": 0, "infected": 0, "pending": 0}
    if not enabled():
        return counts
    for row in ScannedFile.objects.filter(status=ScanStatus.PENDING).order_by("pk")[:limit]:
        try:
            signature = scan_chunks(_stored_chunks(row.key))
        except ScannerUnavailable as exc:
            # clamd is down: nothing is marked; this run stops, the next one retries.
            logger.warning("virus scan unavailable (%s): %s files stay pending", exc, limit)
            ScannedFile.objects.filter(pk=row.pk).update(attempts=models.F("attempts") + 1)
            counts["pending"] = ScannedFile.objects.filter(status=ScanStatus.PENDING).count()
            return counts
        except Exception:  # noqa: BLE001 - the storage unreachable: retried next run
            logger.warning("stored file %s not readable for its scan", row.key, exc_info=True)
            ScannedFile.objects.filter(pk=row.pk).update(attempts=models.F("attempts") + 1)
            counts["pending"] += 1
            continue
        with transaction.atomic():
            locked = ScannedFile.objects.select_for_update().get(pk=row.pk)
            if locked.status != ScanStatus.PENDING:
                continue
            locked.status = ScanStatus.INFECTED if signature else ScanStatus.CLEAN
            locked.signature = signature or ""
            locked.scanned_at = timezone.now()
            locked.save(update_fields=["status", "signature", "scanned_at"])
            if signature:
                logger.error("stored file %s quarantined: %s", row.key, signature)
                events.emit("file_quarantined", locked, nonce=locked.key)
        counts["infected" if signature else "clean"] += 1
    return counts
