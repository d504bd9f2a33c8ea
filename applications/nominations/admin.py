from django.contrib import admin
from django_fsm_log.admin import StateLogInline

from .models import Call, CallSeat, Nomination, NominationAttachment


class CallSeatInline(admin.TabularInline):
    model = CallSeat
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Calls are created on the staff page, which checks seats against approvals;
    the admin shows them, read-only."""

    list_display = ["title_en", "opens_at", "closes_at", "invitations_sent_at"]
    inlines = [CallSeatInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class NominationAttachmentInline(admin.TabularInline):
    model = NominationAttachment
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "original_name", "key", "size", "sha256", "content_type"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    """Read-only: nominations change only through their services."""

    list_display = ["nominee_name", "nominee_organisation", "constituency", "call", "status"]
    list_filter = ["status", "constituency", "call"]
    search_fields = ["nominee_name", "nominee_email", "nominee_organisation__name"]
    inlines = [NominationAttachmentInline, StateLogInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
