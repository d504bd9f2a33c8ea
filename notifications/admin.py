from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage, OutboxStatus
from .outbox import enqueue_send


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "event",
        "recipient",
        "language",
        "status",
        "attempts",
        "error_type",
        "delivery_status",
    ]
    list_filter = ["status", "delivery_status", "event", "language"]
    search_fields = ["recipient", "subject", "esp_message_id"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again the selected failed emails"))
    def resend(self, request, queryset):
        with transaction.atomic():
            rows = list(queryset.select_for_update().filter(status=OutboxStatus.FAILED))
            for row in rows:
                row.status = OutboxStatus.PENDING
                row.save(update_fields=["status"])
                transaction.on_commit(lambda pk=row.pk: enqueue_send(pk))
        messages.success(request, _("%(n)d emails queued again.") % {"n": len(rows)})
