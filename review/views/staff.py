"""Staff pages around the tasks: the 403 explainer, the dashboard, the exports,
an applicant's personal data and the staff member's email preference."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views import generic
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from applications.exceptions import DomainError, FourEyesViolation
from applications.letters.retention import applicant_data
from applications.letters.services import letter_check_can_decide
from applications.models import Letter, Nomination
from applications.nominations.services import nomination_check_can_decide
from applications.uploads import stored_file_response
from notifications.selectors import LETTER as LETTER_OBJECT
from notifications.selectors import outbox_for_object, staff_wants_digest
from notifications.services import staff_email_preference_set

from .. import forms
from ..dashboard import dashboard_figures
from ..exports import letters_csv, members_csv, members_xlsx


class StaffMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "applications.view_letter"


def decision_refusal(*, obj, user, only_four_eyes=False) -> str:
    """Why ``user`` may not decide ``obj`` (a letter or a nomination), as its decision
    service says it, or ""."""
    try:
        if isinstance(obj, Nomination):
            nomination_check_can_decide(nomination=obj, by=user)
        else:
            letter_check_can_decide(letter=obj, by=user)
    except FourEyesViolation as error:
        return error.message
    except DomainError as error:
        return "" if only_four_eyes else error.message
    return ""


def open_task_context(*, obj, task, user) -> dict:
    """A letter's or nomination's page: its open task, and why ``user`` may not take
    the decision (the four-eyes rule), if that is the task."""
    four_eyes = ""
    if task and task.flow_task.name == "decide":
        four_eyes = decision_refusal(obj=obj, user=user, only_four_eyes=True)
    return {"open_task": task, "four_eyes": four_eyes}


class StoredFileView(generic.View):
    """A file of a letter or nomination (``model``: its attachment model), as a download."""

    model = None

    def get(self, request, pk):
        attachment = get_object_or_404(self.model, pk=pk)
        return stored_file_response(
            attachment.key,
            content_type=attachment.content_type,
            download_name=attachment.original_name,
        )


def explain_denial(request) -> str:
    """Say why a task page was refused, in words the reviewer can act on."""
    match = request.resolver_match
    task_pk = match.kwargs.get("task_pk") if match else None
    task = Task.objects.select_related("owner").filter(pk=task_pk).first() if task_pk else None
    if task is None:
        return ""
    user = request.user
    if task.status in (STATUS.DONE, STATUS.CANCELED):
        when = formats.date_format(
            timezone.localtime(task.finished or task.created), "DATETIME_FORMAT"
        )
        if task.status == STATUS.CANCELED:
            return _("This task was cancelled on %(when)s.") % {"when": when}
        who = task.owner.get_full_name() or task.owner.get_username() if task.owner else "—"
        return _("This task was already completed by %(who)s on %(when)s.") % {
            "who": who,
            "when": when,
        }
    if task.flow_task.name == "decide":
        subject = (
            Letter.objects.filter(process__pk=task.process_id).first()
            or Nomination.objects.filter(process__pk=task.process_id).first()
        )
        refusal = subject and decision_refusal(obj=subject, user=user)
        if refusal:
            return refusal
    if task.owner_id and task.owner_id != user.pk:
        return _("This task is assigned to %(who)s.") % {
            "who": task.owner.get_full_name() or task.owner.get_username()
        }
    if task.owner_permission and not user.has_perm(task.owner_permission):
        return _("Your role does not include this task.")
    return ""


def permission_denied(request, exception=None):
    reason = explain_denial(request)
    return render(request, "403.html", {"reason": reason}, status=403)


class LettersExportView(StaffMixin, generic.View):
    def get(self, request):
        return letters_csv()


class MembersExportView(StaffMixin, generic.View):
    def get(self, request):
        return members_csv()


class MembersWorkbookView(StaffMixin, generic.View):
    def get(self, request):
        return members_xlsx()


class DashboardView(StaffMixin, generic.TemplateView):
    template_name = "review/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            dashboard_figures(
                {
                    "funnel": _("Letters by state"),
                    "constituency": _("Letters by constituency"),
                    "region": _("Letters by region"),
                    "no_region": _("Other"),
                }
            )
        )
        return context


class ApplicantDataExportView(StaffMixin, generic.View):
    """Everything held about the applicant of one letter, as a JSON download."""

    def get(self, request, pk):
        letter = get_object_or_404(Letter, pk=pk)
        data = {
            **applicant_data(letter=letter),
            "emails": [
                {
                    "at": mail.created_at,
                    "to": mail.recipient,
                    "subject": mail.subject,
                    "status": mail.status,
                    "body": mail.body_text,
                }
                for mail in outbox_for_object(object_type=LETTER_OBJECT, object_id=letter.pk)
                if mail.recipient.lower() == letter.contact_email.lower()
            ],
        }
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="applicant-{letter.pk}.json"'
        return response


class EmailPreferenceView(StaffMixin, generic.FormView):
    template_name = "review/email_preference.html"
    form_class = forms.EmailPreferenceForm

    def get_initial(self):
        digest = staff_wants_digest(user=self.request.user)
        return {"mode": "digest" if digest else "immediate"}

    def form_valid(self, form):
        staff_email_preference_set(
            user=self.request.user, daily_digest=form.cleaned_data["mode"] == "digest"
        )
        messages.success(self.request, _("Your email preference was saved."))
        return redirect("review:email_preference")
