"""Delivery reports from the ESP: anymail's tracking webhook, at the edge.

anymail checks the webhook's secret (HTTP basic auth, ``ANYMAIL["WEBHOOK_SECRET"]``,
or the ESP's own signature) and turns each ESP's payload into an
``AnymailTrackingEvent``; ``record_tracking_event`` stores the events that say
whether the email reached its recipient on the outbox row it was sent as.
"""

import logging
from datetime import timedelta

from anymail.signals import AnymailTrackingEvent, EventType
from django.db.models import Q
from django.utils import timezone

from .models import DeliveryStatus, OutboxMessage

logger = logging.getLogger(__name__)

# Clocks differ a little; a report dated further ahead than this is dated now,
# or one forged "delivered" report dated 2099 would outrank every later real one.
FUTURE_SKEW = timedelta(minutes=5)

# anymail's normalised event types that we record; opens, clicks, queued and
# deferred say nothing final about delivery and are ignored.
RECORDED = {
    EventType.DELIVERED: DeliveryStatus.DELIVERED,
    EventType.BOUNCED: DeliveryStatus.BOUNCED,
    EventType.COMPLAINED: DeliveryStatus.COMPLAINED,
    EventType.REJECTED: DeliveryStatus.REJECTED,
}


def record_tracking_event(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """Receiver of ``anymail.signals.tracking``.

    Before: anymail has validated the webhook request. Changes: the delivery
    fields of the outbox row whose ``esp_message_id`` and recipient match the
    event, unless that row already holds a later event (ESPs do not promise
    order: a complaint may follow a delivery, a retried delivery report may
    arrive after the bounce). A report dated beyond ``FUTURE_SKEW`` ahead counts
    as received now. Sends: nothing. Events about mail we did not send
    are logged and dropped, so the ESP does not retry them forever.
    """
    status = RECORDED.get(event.event_type)
    if status is None or not event.message_id:
        return
    now = timezone.now()
    at = event.timestamp or now
    if at > now + FUTURE_SKEW:
        at = now
    rows = OutboxMessage.objects.filter(esp_message_id=event.message_id).filter(
        Q(delivery_event_at__isnull=True) | Q(delivery_event_at__lte=at)
    )
    if event.recipient:
        rows = rows.filter(recipient__iexact=event.recipient)
    detail = " | ".join(part for part in (event.description, event.mta_response) if part)
    # One UPDATE: two reports for the same row racing each other cannot interleave.
    updated = rows.update(
        delivery_status=status,
        delivery_event_at=at,
        delivery_reason=(event.reject_reason or "")[:30],
        delivery_detail=detail[:2000],
        delivery_esp=esp_name[:30],
    )
    if not updated:
        logger.info(
            "%s %s report for %s <%s>: no outbox row, or the row holds a later report",
            esp_name,
            event.event_type,
            event.message_id,
            event.recipient,
        )
