from django.contrib import admin
from django_fsm_log.admin import StateLogInline

from .models import Attachment, Letter


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "original_name", "key", "size", "sha256", "content_type", "revision"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["organisation_name", "constituency", "country", "status", "submitted_at"]
    list_filter = ["status", "constituency", "language"]
    search_fields = ["organisation_name", "acronym", "contact_email"]
    readonly_fields = ["status", "public_id", "screened_by", "decided_by", "decided_at"]
    inlines = [AttachmentInline, StateLogInline]

    def has_add_permission(self, request):
        # A letter comes from the public form (letter_submit), which starts its
        # review and audit trail; one added here would have neither.
        return False
