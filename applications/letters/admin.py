from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_fsm_log.admin import StateLogInline

from applications import uploads

from .models import Attachment, Letter, OnboardingDocument


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


class OnboardingDocumentForm(forms.ModelForm):
    """The Secretariat's upload: checked by content like every attachment, stored privately."""

    upload = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, DOCX or ODT, up to 10 MB.")
    )

    class Meta:
        model = OnboardingDocument
        fields = ["kind", "title", "language", "is_active"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            return uploads.check_upload(upload)
        if not self.instance.pk:
            raise ValidationError(_("Choose the file to send to new members."))
        return None

    def save(self, commit=True):
        document = super().save(commit=False)
        checked = self.cleaned_data.get("upload")
        if checked:
            document.key = uploads.store(checked)
            document.original_name = checked.safe_name
            document.size = checked.size
            document.sha256 = checked.sha256
            document.content_type = checked.content_type
        if commit:
            document.save()
        return document


@admin.register(OnboardingDocument)
class OnboardingDocumentAdmin(admin.ModelAdmin):
    form = OnboardingDocumentForm
    list_display = ["title", "kind", "language", "is_active", "original_name", "uploaded_at"]
    list_filter = ["kind", "language", "is_active"]
    readonly_fields = ["original_name", "size", "uploaded_at"]
