"""Staff pages around the tasks: the 403 explainer, the dashboard, an
applicant's personal data and the staff member's email preference."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import LoginView
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
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
from notifications.selectors import (
    outbox_for_object,
    staff_language,
    staff_language_chosen,
    staff_wants_digest,
)
from notifications.services import staff_email_preference_set, staff_language_set

from .. import forms
from ..dashboard import alliance_figures, dashboard_figures
from ..selectors import staff_search


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
    # Staff keep their workspace's shell; anyone else sees the public site's.
    base = "review/base.html" if request.user.is_authenticated else "base.html"
    return render(request, "403.html", {"reason": reason, "base_template": base}, status=403)


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
                    "decision": _("Median days from submission to decision, by month of decision"),
                    "onboarding": _(
                        "Median days from submission to onboarding, by month of onboarding"
                    ),
                }
            )
        )
        context.update(
            alliance_figures(
                {
                    "members_constituency": _("Members by constituency"),
                    "members_region": _("Members by region"),
                    "nominations": _("Nominations by state"),
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
        return {
            "mode": "digest" if digest else "immediate",
            "language": staff_language(user=self.request.user),
        }

    def form_valid(self, form):
        user, language = self.request.user, form.cleaned_data["language"]
        staff_email_preference_set(user=user, daily_digest=form.cleaned_data["mode"] == "digest")
        if not language:
            messages.success(self.request, _("Your email preference was saved."))
            return redirect("review:email_preference")
        staff_language_set(user=user, language=language)
        translation.activate(language)
        messages.success(self.request, _("Your email preference was saved."))
        return with_language_cookie(redirect("review:email_preference"), language)


def with_language_cookie(response, language: str):
    """Django's language cookie set to ``language``, as its set_language view does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class StaffLanguageView(LoginRequiredMixin, generic.View):
    """The staff header's language switch: the language of this person's staff pages
    and of the staff emails they get, kept with them (not only in this browser)."""

    def post(self, request):
        language = request.POST.get("language", "")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("review:task_inbox")
        if not check_for_language(language) or language not in dict(settings.LANGUAGES):
            return redirect(target)
        staff_language_set(user=request.user, language=language)
        return with_language_cookie(redirect(target), language)


def staff_login_view_class(base=LoginView):
    """viewflow's login view, which also puts back the staff member's own language,
    if they chose one; otherwise the language they are reading in stays."""

    class StaffLoginView(base):
        def form_valid(self, form):
            response = super().form_valid(form)
            chosen = staff_language_chosen(user=form.get_user())
            return with_language_cookie(response, chosen) if chosen else response

    return StaffLoginView


class SearchView(StaffMixin, generic.TemplateView):
    """The header's one search: letters, nominations and members by name, acronym or
    contact email, without regard to case or accents."""

    template_name = "review/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        found = staff_search(query=query) if query else {}
        if not self.request.user.has_perm("applications.view_nomination"):
            found.pop("nominations", None)
        context.update(query=query, found=found, searched=bool(query))
        context["nothing"] = bool(query) and not any(found.values())
        return context
