from .models import OutboxMessage


def outbox_for_object(*, object_type: str, object_id: int):
    return OutboxMessage.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "created_at", "pk"
    )
