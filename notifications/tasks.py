"""Background sending of the outbox through the configured email backend (anymail)."""

import logging
from datetime import timedelta

from anymail.exceptions import AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

PERMANENT_ERRORS = (AnymailInvalidAddress, AnymailRecipientsRefused)


def _claim(message_pk: int) -> OutboxMessage | None:
    """Mark a pending row as sending; None if another worker has it or it is done."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_pk, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            return None
        message.status = OutboxStatus.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts"])
    return message


@task()
def send_outbox_message(message_pk: int) -> str:
    """Send one outbox row. Idempotent: a row that is not pending is left alone."""
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
    try:
        email.send()
    except PERMANENT_ERRORS as exc:
        _fail(message, exc, retry=False)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any ESP or network error is retried
        retry = message.attempts < settings.OUTBOX_MAX_ATTEMPTS
        _fail(message, exc, retry=retry)
        return "retry" if retry else "failed"
    status = getattr(email, "anymail_status", None)
    message.esp_message_id = (status.message_id or "") if status else ""
    message.status = OutboxStatus.SENT
    message.sent_at = timezone.now()
    message.error_type = ""
    message.error_message = ""
    message.save(
        update_fields=["esp_message_id", "status", "sent_at", "error_type", "error_message"]
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
