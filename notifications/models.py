"""The outbox: every email the application sends is a row here first."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held for the daily digest")
    DIGESTED = "digested", _("Sent in a daily digest")


class DeliveryStatus(models.TextChoices):
    """What the ESP reported after accepting the email (its tracking webhook)."""

    UNKNOWN = "", _("Not reported")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    COMPLAINED = "complained", _("Marked as spam")
    REJECTED = "rejected", _("Rejected by the ESP")


# Delivery statuses that mean the recipient did not get the email.
UNDELIVERED = (DeliveryStatus.BOUNCED, DeliveryStatus.REJECTED)


class OutboxMessage(models.Model):
    """One email to one recipient, rendered in their language when it was queued.

    ``key`` is unique per (event, object, transition log, recipient), so queuing
    the same email twice for the same transition is impossible.
    """

    key = models.CharField(max_length=255, unique=True)
    event = models.CharField(max_length=60, db_index=True)
    audience = models.CharField(max_length=30)
    object_type = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    log_id = models.PositiveBigIntegerField(null=True, blank=True)
    recipient = models.EmailField()
    # Where the recipient's answer goes (the Secretariat's mailbox); empty for staff emails.
    reply_to = models.EmailField(blank=True, default="")
    language = models.CharField(max_length=5)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField()
    # The Secretariat's wording this email was rendered from; empty: the
    # default template files (see notifications.texts).
    text_version = models.ForeignKey(
        "applications.TextVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("text version"),
    )

    status = models.CharField(
        max_length=10, choices=OutboxStatus, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    esp_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    error_type = models.CharField(max_length=100, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker last took the row to send it: a row "being sent" for long
    # after this was lost with its worker (outbox_flush), however old the row is.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    # Reported later by the ESP's tracking webhook (notifications.tracking).
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus, blank=True, default=DeliveryStatus.UNKNOWN
    )
    delivery_event_at = models.DateTimeField(null=True, blank=True)
    delivery_reason = models.CharField(max_length=30, blank=True)
    delivery_detail = models.TextField(blank=True)
    delivery_esp = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")

    def __str__(self):
        return f"{self.event} → {self.recipient} ({self.status})"


class StaffEmailPreference(models.Model):
    """How a staff member wants to hear of work: each email at once, or one a day."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="email_preference"
    )
    daily_digest = models.BooleanField(_("one daily digest instead of each email"), default=False)
    # The language of their staff pages and emails; empty: settings.STAFF_LANGUAGE.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")

    class Meta:
        verbose_name = _("staff email preference")
        verbose_name_plural = _("staff email preferences")

    def __str__(self):
        return f"{self.user}: {'digest' if self.daily_digest else 'immediate'}"
