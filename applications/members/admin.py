import base64
import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import directory_cache
from .imports import COLUMN_HELP, REQUIRED_COLUMNS, members_import, summary
from .models import MemberChange, MemberContact, Organisation

# Room for a few thousand members; the file waits in the session between the
# check and the import.
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_SESSION_KEY = "applications.member_import"


class MemberImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # A refused upload (config/uploads.py) kept no bytes: its size says why.
        if upload.size > IMPORT_MAX_BYTES or getattr(upload, "refusal", None):
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).")
                % {"size": IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class MemberContactInline(admin.TabularInline):
    model = MemberContact
    extra = 0
    fields = ["name", "role", "email", "language", "pending_email"]
    readonly_fields = ["pending_email"]


class MemberChangeInline(admin.TabularInline):
    """The audit of the member's changes: read only."""

    model = MemberChange
    extra = 0
    fields = ["created_at", "actor", "action", "changes", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "constituency",
        "country",
        "member_since",
        "membership_status",
        "public_listing",
    ]
    list_filter = ["constituency", "public_listing", "membership_status"]
    search_fields = ["name", "acronym"]
    # The membership changes through its services (the staff member page), never here.
    readonly_fields = ["membership_status", "ended_at", "end_reason"]
    inlines = [MemberContactInline, MemberChangeInline]

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def delete_queryset(self, request, queryset):
        # A bulk delete does not call Organisation.delete().
        super().delete_queryset(request, queryset)
        directory_cache.changed()

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload a CSV: a dry run shows the report, then "Import" writes the same
        bytes (kept in the session, checked by their hash)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = MemberImportForm()
        report = None
        token = ""
        if request.method == "POST" and "token" in request.POST:
            pending = request.session.get(IMPORT_SESSION_KEY) or {}
            if not pending or pending.get("token") != request.POST["token"]:
                messages.error(request, _("Please upload and check the file again."))
                return redirect(request.path)
            data = base64.b64decode(pending["data"])
            report = members_import(
                data=data, partial=request.POST.get("partial") == "1", by=request.user
            )
            if not report.blocked:
                del request.session[IMPORT_SESSION_KEY]
                level = messages.WARNING if report.problems else messages.SUCCESS
                messages.add_message(request, level, summary(report))
                return redirect(reverse("admin:applications_organisation_changelist"))
            # The database changed since the check: show what is wrong now.
            token = pending["token"]
        elif request.method == "POST":
            # A new upload replaces any file waiting to be imported.
            request.session.pop(IMPORT_SESSION_KEY, None)
            form = MemberImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data["file"].read()
                report = members_import(data=data, dry_run=True)
                if report.valid and not report.unreadable:
                    token = hashlib.sha256(data).hexdigest()
                    request.session[IMPORT_SESSION_KEY] = {
                        "token": token,
                        "name": form.cleaned_data["file"].name,
                        "data": base64.b64encode(data).decode("ascii"),
                    }
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import members from a CSV file"),
            "form": form,
            "report": report,
            "summary": summary(report) if report else "",
            "token": token,
            "file_name": pending.get("name", "") if token else "",
            "columns": [
                (name, name in REQUIRED_COLUMNS, description) for name, description in COLUMN_HELP
            ],
        }
        return TemplateResponse(request, "admin/applications/organisation/import.html", context)
