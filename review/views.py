"""Task pages of the review flow and the staff pages around them."""

import copy

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from applications import selectors as letter_selectors
from applications import services as letter_services
from applications.choices import Recommendation
from applications.exceptions import DomainError, FourEyesViolation, NotPermitted
from applications.models import Attachment, Letter
from applications.uploads import stored_file_response

from . import forms
from . import selectors as review_selectors
from .selectors import letter_outbox

User = get_user_model()


def letter_context(letter, user) -> dict:
    return {
        "letter": letter,
        "matches": letter_selectors.letter_matches(letter),
        "changes": letter_selectors.letter_changes(letter),
        "checklist": [
            (label, letter.screening_checklist.get(name)) for name, label in forms.CHECKLIST
        ]
        if letter.screening_checklist
        else [],
        "history": letter_selectors.letter_history(letter),
        "attachments": letter.attachments.all(),
        "emails": letter_outbox(letter),
        "bounces": review_selectors.letter_bounces(letter),
    }


class TaskFormView(generic.FormView):
    """A task page that completes its task by running one service (``perform``),
    then goes to the page of the letter or nomination (``subject_url``)."""

    success_message = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["task"] = self.request.activation.task
        return context

    def perform(self, form):
        raise NotImplementedError

    def subject_url(self) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.perform(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        self.request.activation.execute()
        messages.success(self.request, self.success_message)
        return redirect(self.subject_url())


class LetterTaskView(TaskFormView):
    """The task pages of a letter: show it, preview the applicant's email, run one service."""

    template_name = "review/task.html"

    @property
    def letter(self):
        return self.request.activation.process.letter

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(letter_context(self.letter, self.request.user))
        return context

    def subject_url(self) -> str:
        return reverse("review:letter_detail", args=[self.letter.pk])

    def preview_event(self, form) -> tuple[str, dict] | None:
        """The applicant email this completion would send: (event, changed letter fields)."""
        return None

    def form_valid(self, form):
        if "preview" in self.request.POST:
            return self.render_to_response(
                self.get_context_data(form=form, preview=self.render_preview(form))
            )
        return super().form_valid(form)

    def render_preview(self, form) -> dict | None:
        """Render the applicant's email from the typed form, exactly as it would go out."""
        from notifications.services import letter_context as email_context
        from notifications.services import render_email

        found = self.preview_event(form)
        if found is None:
            return None
        event, changes = found
        letter = copy.copy(self.letter)
        for field, value in changes.items():
            setattr(letter, field, value)
        return render_email(
            event=event,
            audience="applicant",
            language=letter.language,
            context=email_context(letter),
        )


class ScreenView(LetterTaskView):
    form_class = forms.ScreeningForm

    def preview_event(self, form):
        data = form.cleaned_data
        event = (
            "letter_changes_requested"
            if data["outcome"] == forms.SCREEN_CHANGES
            else "letter_reviewed"
        )
        return event, {"message_to_applicant": data["message"]}

    @property
    def success_message(self):
        return _("Screening recorded for %(name)s.") % {"name": self.letter.organisation_name}

    def perform(self, form):
        user, letter, data = self.request.user, self.letter, form.cleaned_data
        if data["outcome"] == forms.SCREEN_CHANGES:
            letter_services.letter_request_changes(
                letter=letter,
                by=user,
                message=data["message"],
                note=data["note"],
                checklist=form.checklist(),
            )
        else:
            letter_services.letter_screen(
                letter=letter,
                by=user,
                recommendation=Recommendation.APPROVE
                if data["outcome"] == forms.SCREEN_APPROVE
                else Recommendation.REJECT,
                note=data["note"],
                message=data["message"],
                checklist=form.checklist(),
            )


class DecideView(LetterTaskView):
    form_class = forms.DecisionForm

    def preview_event(self, form):
        data = form.cleaned_data
        event = "letter_approved" if data["decision"] == "approve" else "letter_rejected"
        return event, {"decision_reason": data["reason"]}

    @property
    def success_message(self):
        return _("Decision recorded for %(name)s.") % {"name": self.letter.organisation_name}

    def perform(self, form):
        letter_services.letter_decide(
            letter=self.letter,
            by=self.request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )


class OnboardView(LetterTaskView):
    form_class = forms.OnboardingForm

    @property
    def success_message(self):
        return _("%(name)s is now a member.") % {"name": self.letter.organisation_name}

    def perform(self, form):
        letter_services.letter_onboard(
            letter=self.letter, by=self.request.user, note=form.cleaned_data["note"]
        )


class StaffMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "applications.view_letter"


class LetterListView(StaffMixin, generic.ListView):
    """All letters with their open task: filters, search, sort, overdue, bulk assign."""

    template_name = "review/letter_list.html"
    paginate_by = 25

    def get_filters(self):
        return forms.InboxFilterForm(self.request.GET or None)

    def get_queryset(self):
        self.filters = self.get_filters()
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return review_selectors.inbox_letters(
            status=data.get("status") or "",
            constituency=data.get("constituency") or "",
            country=data.get("country") or "",
            overdue=bool(data.get("overdue")),
            open_only=bool(data.get("open")),
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or "oldest",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        letters = context["object_list"]
        review_selectors.annotate_deadlines(letters)
        owners = User.objects.in_bulk({letter.open_task_owner_id for letter in letters} - {None})
        for letter in letters:
            letter.task_owner = owners.get(letter.open_task_owner_id)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filters=self.filters, querystring=query.urlencode())
        return context

    def post(self, request, *args, **kwargs):
        """Bulk assign: take the open tasks of the selected letters."""
        from .services import letter_open_task, task_assign

        ids = [int(pk) for pk in request.POST.getlist("letters") if pk.isdigit()]
        taken, refused = 0, []
        for letter in Letter.objects.filter(pk__in=ids).order_by("pk"):
            task = letter_open_task(letter=letter)
            try:
                if task is None or task.flow_task.name not in review_selectors.STAFF_NODES:
                    raise NotPermitted(_("no open task"))
                task_assign(task=task, user=request.user)
                taken += 1
            except DomainError as error:
                refused.append(f"{letter.organisation_name}: {error.message}")
        if taken:
            messages.success(request, _("%(n)d tasks assigned to you.") % {"n": taken})
        for line in refused:
            messages.warning(request, line)
        if not ids:
            messages.info(request, _("Select at least one letter."))
        return redirect(request.get_full_path())


class LetterDetailView(StaffMixin, generic.DetailView):
    model = Letter
    template_name = "review/letter_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(letter_context(self.object, self.request.user))
        from .services import letter_open_task

        task = letter_open_task(letter=self.object)
        context["open_task"] = task
        context["four_eyes"] = (
            decision_refusal(obj=self.object, user=self.request.user, only_four_eyes=True)
            if task and task.flow_task.name == "decide"
            else ""
        )
        return context


class AttachmentDownloadView(StaffMixin, generic.View):
    def get(self, request, pk):
        attachment = get_object_or_404(Attachment, pk=pk)
        return stored_file_response(
            attachment.key,
            content_type=attachment.content_type,
            download_name=attachment.original_name,
        )


def decision_refusal(*, obj, user, only_four_eyes=False) -> str:
    """Why ``user`` may not decide ``obj`` (a letter or a nomination), as its decision
    service says it, or ""."""
    from applications.models import Nomination
    from applications.nominations.services import nomination_check_can_decide

    try:
        if isinstance(obj, Nomination):
            nomination_check_can_decide(nomination=obj, by=user)
        else:
            letter_services.letter_check_can_decide(letter=obj, by=user)
    except FourEyesViolation as error:
        return error.message
    except DomainError as error:
        return "" if only_four_eyes else error.message
    return ""


def explain_denial(request) -> str:
    """Say why a task page was refused, in words the reviewer can act on."""
    from django.utils import formats, timezone
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

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
        from applications.models import Nomination

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
    from django.shortcuts import render

    reason = explain_denial(request)
    return render(request, "403.html", {"reason": reason}, status=403)


class LettersExportView(StaffMixin, generic.View):
    def get(self, request):
        from .exports import letters_csv

        return letters_csv()


class MembersExportView(StaffMixin, generic.View):
    def get(self, request):
        from .exports import members_csv

        return members_csv()


class DashboardView(StaffMixin, generic.TemplateView):
    template_name = "review/dashboard.html"

    def get_context_data(self, **kwargs):
        from .dashboard import dashboard_figures

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
        from django.http import HttpResponse

        from applications.retention import applicant_data_export

        letter = get_object_or_404(Letter, pk=pk)
        response = HttpResponse(
            applicant_data_export(letter=letter), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="applicant-{letter.pk}.json"'
        return response


class EmailPreferenceView(StaffMixin, generic.FormView):
    template_name = "review/email_preference.html"
    form_class = forms.EmailPreferenceForm

    def get_initial(self):
        from notifications.models import StaffEmailPreference

        preference = StaffEmailPreference.objects.filter(user=self.request.user).first()
        return {"mode": "digest" if preference and preference.daily_digest else "immediate"}

    def form_valid(self, form):
        from notifications.models import StaffEmailPreference

        StaffEmailPreference.objects.update_or_create(
            user=self.request.user,
            defaults={"daily_digest": form.cleaned_data["mode"] == "digest"},
        )
        messages.success(self.request, _("Your email preference was saved."))
        return redirect("review:email_preference")
