from django.conf import settings

from .models import UNDELIVERED, OutboxMessage, StaffEmailPreference

LETTER = "applications.letter"


def outbox_for_object(*, object_type: str, object_id: int):
    return OutboxMessage.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "created_at", "pk"
    )


def bounced_for_object(*, object_type: str, object_id: int, audience: str | None = None):
    """Emails about an object that the ESP reported as not delivered (bounced or rejected).

    Oldest report first. ``audience`` narrows it, e.g. to ``"applicant"`` for the
    letter's history and inbox, so the secretariat can reach the applicant another
    way. Each row carries ``recipient``, ``delivery_status``, ``delivery_event_at``,
    ``delivery_reason`` and ``delivery_detail`` (the ESP's diagnostic).
    """
    rows = OutboxMessage.objects.filter(
        object_type=object_type, object_id=object_id, delivery_status__in=UNDELIVERED
    )
    if audience is not None:
        rows = rows.filter(audience=audience)
    return rows.order_by("delivery_event_at", "pk")


def staff_language_chosen(*, user) -> str:
    """The language ``user`` chose for their staff pages and emails, or "" if none."""
    preference = StaffEmailPreference.objects.filter(user=user).first()
    return (preference and preference.language) or ""


def staff_language(*, user) -> str:
    """The language ``user`` chose for their staff pages and emails, or STAFF_LANGUAGE."""
    return staff_language_chosen(user=user) or settings.STAFF_LANGUAGE


def staff_wants_digest(*, user) -> bool:
    """Whether ``user`` chose one daily digest instead of each staff email."""
    preference = StaffEmailPreference.objects.filter(user=user).first()
    return bool(preference and preference.daily_digest)
