"""The outbox's sending engine: claim a row, send it through the configured email
backend (anymail), record the outcome, retry with a backoff, keep to the ESP's
rate; and the two tasks that run it on the django-tasks worker.

``notify`` (``notifications.services``) writes the rows; ``enqueue_send``, called
after their commit, makes sure a ``send_outbox`` task will drain them. The send
tasks live here, with the engine that queues them again (a successor drain, a
delayed retry), so that nothing here imports the services.
"""

import functools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from anymail.backends.base import AnymailBaseBackend
from anymail.exceptions import AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

PERMANENT_ERRORS = (AnymailInvalidAddress, AnymailRecipientsRefused)
# What a send reads from its row; the rest stays in the database.
SEND_FIELDS = ("key", "recipient", "reply_to", "subject", "body_text", "body_html", "attempts")
# Rows one send_outbox task takes before it hands the worker over to the next task.
DRAIN_BATCH = 100


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


def due_messages():
    """Pending rows whose send may happen now: new ones, and retries whose wait is over."""
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    )


def claim(message_pk: int | None = None) -> OutboxMessage | None:
    """Mark a pending row as sending, stamp ``claimed_at``, and return it; None if
    another worker has it or it is done.

    With ``message_pk``, that row; without, the oldest due row (``due_messages``).
    One conditional UPDATE, committed before the ESP call. On PostgreSQL it
    locks the row: a second worker's UPDATE waits for that lock, then sees the
    row is no longer pending and changes nothing; the oldest-due-row form picks
    its row with ``FOR UPDATE SKIP LOCKED``, so two workers draining at once
    each take the next row the other has not. SQLite runs one writer at a
    time. Either way exactly one worker gets the row back. Django's ORM has no
    UPDATE ... RETURNING, hence the SQL: one statement instead of a transaction
    with SELECT ... FOR UPDATE and UPDATE keeps the worker near the ESP's own
    speed (bench/outbox.py).
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    pending, sending = OutboxStatus.PENDING.value, OutboxStatus.SENDING.value
    which = [message_pk] if message_pk is not None else [pending, now]
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(connection.vendor, by_pk=message_pk is not None),
            [sending, now, *which, pending],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    loaded = dict(zip(("id", *SEND_FIELDS), row, strict=True))
    attnames = [f.attname for f in OutboxMessage._meta.concrete_fields if f.attname in loaded]
    return OutboxMessage.from_db(connection.alias, attnames, [loaded[name] for name in attnames])


@functools.cache
def _claim_sql(vendor: str, *, by_pk: bool) -> str:
    """The UPDATE of ``claim``, built once per database vendor (the arguments are
    for the cache). Its parameters: sending, now, then the row's pk or (pending,
    now), then pending."""
    meta, quote = OutboxMessage._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    names = ("id", "status", "attempts", "claimed_at", "next_attempt_at", *SEND_FIELDS)
    column = {name: quote(meta.get_field(name).column) for name in names}
    if by_pk:
        which = "%s"
    else:
        which = (
            f"(SELECT {column['id']} FROM {table} WHERE {column['status']} = %s "
            f"AND ({column['next_attempt_at']} IS NULL OR {column['next_attempt_at']} <= %s) "
            f"ORDER BY {column['id']} LIMIT 1"
        )
        if connection.features.has_select_for_update_skip_locked:
            which += " " + connection.ops.for_update_sql(skip_locked=True)
        which += ")"
    return (
        f"UPDATE {table} "
        f"SET {column['status']} = %s, {column['attempts']} = {column['attempts']} + 1, "
        f"{column['claimed_at']} = %s "
        f"WHERE {column['id']} = {which} AND {column['status']} = %s "
        f"RETURNING {column['id']}, {', '.join(column[name] for name in SEND_FIELDS)}"
    )


def send_claimed(message: OutboxMessage) -> str:
    """Send a row returned by ``claim``; record the outcome on the row.

    Returns "sent", "retry" (back to pending, with a delayed retry task of its
    own) or "failed". Waits first for this process's ``OUTBOX_MAX_PER_SECOND``
    slot.
    """
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        reply_to=[message.reply_to] if message.reply_to else None,
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
    with connection.cursor() as cursor:
        cursor.execute(
            _sent_sql(connection.vendor),
            [
                OutboxStatus.SENT.value,
                (status.message_id or "")[:255] if status else "",
                connection.ops.adapt_datetimefield_value(timezone.now()),
                message.pk,
            ],
        )
    return "sent"


@functools.cache
def _sent_sql(vendor: str) -> str:
    """Record a send: the row becomes sent, with the ESP's message id and the time,
    and loses the error of an earlier try. Raw SQL for the reason given in
    ``claim``: the ORM's UPDATE costs twice as much, once per email. Its
    parameters: sent, the message id, now, the row's pk."""
    meta, quote = OutboxMessage._meta, connection.ops.quote_name
    names = ("id", "status", "esp_message_id", "sent_at", "error_type", "error_message")
    column = {name: quote(meta.get_field(name).column) for name in names}
    return (
        f"UPDATE {quote(meta.db_table)} SET {column['status']} = %s, "
        f"{column['esp_message_id']} = %s, {column['sent_at']} = %s, "
        f"{column['error_type']} = '', {column['error_message']} = '' "
        f"WHERE {column['id']} = %s"
    )


@task()
def send_outbox(limit: int = DRAIN_BATCH) -> dict[str, int]:
    """Send the due outbox rows, oldest first, up to ``limit`` of them.

    One task of this kind sends what many commits queued (see ``enqueue_send``),
    so the worker's own bookkeeping is paid per batch, not per email. Each row
    is still claimed on its own just before its send, so a row goes out once
    however many of these tasks run, on however many workers. Once it has a
    row, it makes sure another run of itself waits: that one sends what is left
    after ``limit`` rows, takes over if this worker dies, and on a second worker
    drains alongside; with nothing left it ends without queuing another.

    Before: the rows are committed. Changes: each row it takes goes pending →
    sending → sent, or back to pending with a delayed retry task of its own, or
    failed. Sends: one email per row, at most ``OUTBOX_MAX_PER_SECOND`` per
    second from this process.
    """
    outcomes: Counter[str] = Counter()
    while outcomes.total() < limit:
        message = claim()
        if message is None:
            break
        if not outcomes:
            enqueue_send()
        outcomes[send_claimed(message)] += 1
    return dict(outcomes)


@task()
def send_outbox_message(message_pk: int) -> str:
    """Send one outbox row. Idempotent: a row that is not pending is left alone.

    The task of a retry: a row whose send failed gets one of these, delayed by
    its backoff. Before: the row is committed. Changes and sends: as
    ``send_outbox``, for this row only.
    """
    message = claim(message_pk)
    if message is None:
        return "skipped"
    return send_claimed(message)


def _fail(message: OutboxMessage, exc: Exception, *, retry: bool) -> None:
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


def enqueue_send(*message_pks: int, run_after=None) -> None:
    """Make sure a task will send these committed pending rows.

    Before: the rows are committed (call it from ``transaction.on_commit``).
    Changes: at once, queues one ``send_outbox`` task, which sends every due row,
    unless one is already waiting that has not started: that one will see these
    rows, so a burst of commits makes one task, not one per email. With
    ``run_after`` (a retry's backoff), queues a ``send_outbox_message`` task per
    row, delayed until then. Sends: nothing itself.
    """
    if run_after is not None:
        for message_pk in message_pks:
            send_outbox_message.using(run_after=run_after).enqueue(message_pk)
        return
    # A task that has not started yet will look for due rows after these committed.
    waiting = DBTaskResult.objects.ready().filter(
        task_path=send_outbox.module_path,
        queue_name=send_outbox.queue_name,
        backend_name=send_outbox.backend,
    )
    if not waiting.exists():
        send_outbox.enqueue()
