"""Background sending of the outbox through the configured email backend (anymail)."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from anymail.backends.base import AnymailBaseBackend
from anymail.exceptions import AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.utils import timezone
from django_tasks import task

from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

PERMANENT_ERRORS = (AnymailInvalidAddress, AnymailRecipientsRefused)
# What a send reads from its row; the rest stays in the database.
SEND_FIELDS = ("key", "recipient", "subject", "body_text", "body_html", "attempts")


class RateLimiter:
    """Spaces sends at least ``1 / per_second`` seconds apart in this process.

    A token bucket holding one token: no burst above the ESP's quota, and no
    database round trip. Each worker process has its own, so with N workers
    set ``OUTBOX_MAX_PER_SECOND`` to the quota divided by N. ``clock`` and
    ``sleep`` are injectable so that tests can check the waits without timing.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.per_second = per_second
        self.interval = 1.0 / per_second
        self.clock = clock
        self.sleep = sleep
        self._next_slot: float | None = None
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Book the next free send slot; return how many seconds away it is."""
        with self._lock:
            now = self.clock()
            slot = now if self._next_slot is None else max(now, self._next_slot)
            self._next_slot = slot + self.interval
            return slot - now

    def wait(self) -> float:
        """Sleep until this process may send again; return the time slept."""
        delay = self.reserve()
        if delay > 0:
            self.sleep(delay)
        return delay


class _WorkerState(threading.local):
    """What a worker thread keeps between sends: the ESP connection."""

    connection = None
    generation = -1


_state = _WorkerState()
_generation = 0  # bumped when a test swaps the email settings
_limiter: RateLimiter | None = None
_limiter_lock = threading.Lock()


def reset_on_setting_change(*, setting: str, **kwargs) -> None:
    """Receiver of ``setting_changed``: drop what was built from the old settings."""
    global _generation, _limiter
    if setting in ("EMAIL_BACKEND", "ANYMAIL"):
        _generation += 1
    elif setting == "OUTBOX_MAX_PER_SECOND":
        _limiter = None


def rate_limiter() -> RateLimiter | None:
    """This process's limiter for ``OUTBOX_MAX_PER_SECOND``; None when there is no cap."""
    global _limiter
    per_second = settings.OUTBOX_MAX_PER_SECOND
    if not per_second or per_second <= 0:
        return None
    with _limiter_lock:
        if _limiter is None or _limiter.per_second != per_second:
            _limiter = RateLimiter(per_second)
        return _limiter


def _connection():
    """The ESP connection of this worker thread.

    An anymail backend is an HTTP client (boto3, requests) that reconnects by
    itself, so one is opened per worker thread and reused: building a boto3
    client costs more than the send. Other backends (SMTP, console) get a
    fresh connection per send, as ``EmailMessage.send()`` would give them.
    """
    if _state.connection is not None and _state.generation == _generation:
        return _state.connection
    _drop_connection()
    backend = get_connection()
    if isinstance(backend, AnymailBaseBackend):
        backend.open()
        _state.connection, _state.generation = backend, _generation
    return backend


def _drop_connection() -> None:
    backend, _state.connection = _state.connection, None
    if backend is not None:
        try:
            backend.close()
        except Exception:  # noqa: BLE001 - closing a broken client must not hide the send's error
            logger.debug("closing the ESP connection failed", exc_info=True)


def _claim(message_pk: int) -> OutboxMessage | None:
    """Mark a pending row as sending and return it; None if another worker has it
    or it is done.

    One conditional UPDATE, committed before the ESP call. On PostgreSQL it
    locks the row: a second worker's UPDATE waits for that lock, then sees the
    row is no longer pending and changes nothing. SQLite runs one writer at a
    time. Either way exactly one worker gets the row back. Django's ORM has no
    UPDATE ... RETURNING, hence the SQL: one statement instead of a transaction
    with SELECT ... FOR UPDATE and UPDATE keeps the worker near the ESP's own
    speed (bench/outbox.py).
    """
    meta, quote = OutboxMessage._meta, connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in ("id", "status", *SEND_FIELDS)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} "
            f"SET {column['status']} = %s, {column['attempts']} = {column['attempts']} + 1 "
            f"WHERE {column['id']} = %s AND {column['status']} = %s "
            f"RETURNING {', '.join(column[name] for name in SEND_FIELDS)}",
            [OutboxStatus.SENDING.value, message_pk, OutboxStatus.PENDING.value],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    loaded = dict(zip(("id", *SEND_FIELDS), (message_pk, *row), strict=True))
    names = [f.attname for f in OutboxMessage._meta.concrete_fields if f.attname in loaded]
    return OutboxMessage.from_db(connection.alias, names, [loaded[name] for name in names])


@task()
def send_outbox_message(message_pk: int) -> str:
    """Send one outbox row. Idempotent: a row that is not pending is left alone.

    Before: the row is committed. Changes: the row goes pending → sending (in
    its own transaction, before the ESP call) → sent with the ESP's message id,
    or back to pending with a later retry, or failed. Sends: the email, at most
    ``OUTBOX_MAX_PER_SECOND`` per second from this process.
    """
    message = _claim(message_pk)
    if message is None:
        return "skipped"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"X-Alliance-Outbox-Key": message.key[:200]},
    )
    email.attach_alternative(message.body_html, "text/html")
    limiter = rate_limiter()
    if limiter is not None:
        limiter.wait()
    try:
        email.connection = _connection()
        email.send()
    except PERMANENT_ERRORS as exc:
        _fail(message, exc, retry=False)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any ESP or network error is retried
        retry = message.attempts < settings.OUTBOX_MAX_ATTEMPTS
        _fail(message, exc, retry=retry)
        return "retry" if retry else "failed"
    status = getattr(email, "anymail_status", None)
    OutboxMessage.objects.filter(pk=message.pk).update(
        esp_message_id=(status.message_id or "") if status else "",
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        error_type="",
        error_message="",
    )
    return "sent"


def _fail(message: OutboxMessage, exc: Exception, *, retry: bool) -> None:
    from .services import enqueue_send

    logger.warning("email %s to %s failed: %r", message.pk, message.recipient, exc)
    message.error_type = type(exc).__name__[:100]
    message.error_message = str(exc)[:2000]
    if retry:
        delay = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (message.attempts - 1)
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    else:
        message.status = OutboxStatus.FAILED
        message.next_attempt_at = None
    message.save(update_fields=["error_type", "error_message", "status", "next_attempt_at"])
    if retry:
        enqueue_send(message.pk, run_after=message.next_attempt_at)


@task()
def daily_digests() -> int:
    """Send the staff digests, then schedule tomorrow's run."""
    from config.periodic import enqueue_unless_waiting

    from .services import digests_send

    count = digests_send()
    enqueue_unless_waiting(daily_digests, run_after=timezone.now() + timedelta(days=1))
    return count
