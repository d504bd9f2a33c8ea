"""Task pages of the nomination flow and the staff pages for calls and nominations."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from applications.choices import NominationStatus
from applications.exceptions import DomainError
from applications.models import Call, Nomination, NominationAttachment
from applications.nominations import selectors, services
from applications.uploads import stored_file_response
from notifications.selectors import outbox_for_object

from . import forms
from .views import TaskFormView, decision_refusal


def nomination_context(nomination) -> dict:
    return {
        "nomination": nomination,
        "eligibility": selectors.nomination_eligibility(nomination),
        "seat_counts": selectors.call_seat_counts(nomination.call),
        "history": selectors.nomination_history(nomination),
        "attachments": nomination.attachments.all(),
        "emails": outbox_for_object(object_type="applications.nomination", object_id=nomination.pk),
    }


class NominationTaskView(TaskFormView):
    """The task pages of a nomination: show it, run one service."""

    template_name = "review/nomination_task.html"

    @property
    def nomination(self):
        return self.request.activation.process.nomination

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(nomination_context(self.nomination))
        return context

    def subject_url(self) -> str:
        return reverse("review:nomination_detail", args=[self.nomination.pk])


class NominationScreenView(NominationTaskView):
    form_class = forms.NominationScreeningForm

    @property
    def success_message(self):
        return _("Screening recorded for %(name)s.") % {"name": self.nomination.nominee_name}

    def perform(self, form):
        services.nomination_screen(
            nomination=self.nomination,
            by=self.request.user,
            recommendation=form.cleaned_data["recommendation"],
            note=form.cleaned_data["note"],
        )


class NominationDecideView(NominationTaskView):
    form_class = forms.NominationDecisionForm

    @property
    def success_message(self):
        return _("Decision recorded for %(name)s.") % {"name": self.nomination.nominee_name}

    def perform(self, form):
        services.nomination_decide(
            nomination=self.nomination,
            by=self.request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )


class NominationOnboardView(NominationTaskView):
    form_class = forms.NominationOnboardingForm

    @property
    def success_message(self):
        return _("%(name)s is now on the Management Committee.") % {
            "name": self.nomination.nominee_name
        }

    def perform(self, form):
        services.nomination_onboard(
            nomination=self.nomination, by=self.request.user, note=form.cleaned_data["note"]
        )


class NominationStaffMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "applications.view_nomination"


class NominationListView(NominationStaffMixin, generic.TemplateView):
    template_name = "review/nomination_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        if status not in NominationStatus.values:
            status = ""
        query = self.request.GET.get("q", "").strip()[:200]
        call = None
        if self.request.GET.get("call", "").isdigit():
            call = Call.objects.filter(pk=self.request.GET["call"]).first()
        nominations = selectors.nominations_for_staff(call=call, status=status, query=query)
        page = Paginator(nominations, 25).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            page_obj=page,
            nominations=page.object_list,
            calls=Call.objects.order_by("-opens_at"),
            statuses=NominationStatus.choices,
            selected_status=status,
            selected_call=call,
            query=query,
            querystring=params.urlencode(),
        )
        return context


class NominationDetailView(NominationStaffMixin, generic.DetailView):
    model = Nomination
    template_name = "review/nomination_detail.html"

    def get_queryset(self):
        return Nomination.objects.select_related("call", "nominated_by", "nominee_organisation")

    def get_context_data(self, **kwargs):
        from .services import nomination_open_task

        context = super().get_context_data(**kwargs)
        context.update(nomination_context(self.object))
        task = nomination_open_task(nomination=self.object)
        context["open_task"] = task
        context["four_eyes"] = (
            decision_refusal(obj=self.object, user=self.request.user, only_four_eyes=True)
            if task and task.flow_task.name == "decide"
            else ""
        )
        return context


class NominationAttachmentView(NominationStaffMixin, generic.View):
    def get(self, request, pk):
        attachment = get_object_or_404(NominationAttachment, pk=pk)
        return stored_file_response(
            attachment.key,
            content_type=attachment.content_type,
            download_name=attachment.original_name,
        )


class CallListView(NominationStaffMixin, generic.ListView):
    template_name = "review/call_list.html"
    paginate_by = 25

    def get_queryset(self):
        return Call.objects.prefetch_related("seats").order_by("-opens_at", "-pk")


class CallEditView(LoginRequiredMixin, PermissionRequiredMixin, generic.View):
    """Create a call, or edit one (``pk`` given)."""

    permission_required = "applications.manage_call"
    template_name = "review/call_form.html"

    def get_call(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(Call, pk=pk) if pk else None

    def initial(self, call):
        if call is None:
            return {}
        zone = ZoneInfo(call.time_zone)
        initial = {
            name: getattr(call, name) for name in forms.CallForm.CALL_FIELDS if "_at" not in name
        }
        for name in ("opens_at", "closes_at"):
            initial[name] = timezone.make_naive(getattr(call, name), zone)
        for seat in call.seats.all():
            initial[f"seats_{seat.constituency}"] = seat.seats
        return initial

    def get(self, request, pk=None):
        call = self.get_call()
        form = forms.CallForm(initial=self.initial(call))
        return render(request, self.template_name, {"form": form, "call": call})

    def post(self, request, pk=None):
        call = self.get_call()
        form = forms.CallForm(request.POST)
        if form.is_valid():
            try:
                call = services.call_save(
                    call=call, data=form.call_data(), seats=form.seats(), by=request.user
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The call was saved."))
                return redirect("review:call_list")
        return render(request, self.template_name, {"form": form, "call": call}, status=400)


class TaskInboxView(LoginRequiredMixin, generic.TemplateView):
    """One inbox for the staff: letters' and nominations' tasks together."""

    template_name = "review/task_inbox.html"

    def get_context_data(self, **kwargs):
        from .selectors import staff_tasks, task_due

        context = super().get_context_data(**kwargs)
        page = Paginator(staff_tasks(self.request.user), 25).get_page(self.request.GET.get("page"))
        rows = []
        for task in page.object_list:
            node = task.flow_task.name
            if hasattr(task.process, "letterprocess"):
                letter = task.process.letterprocess.letter
                kind, subject, namespace = _("Letter"), letter.organisation_name, "letter"
                due, overdue = task_due(node, task.created)
            else:
                nomination = task.process.nominationprocess.nomination
                kind, namespace = _("Nomination"), "nomination"
                subject = f"{nomination.nominee_name} ({nomination.nominee_organisation.name})"
                due, overdue = None, False
            rows.append(
                {
                    "kind": kind,
                    "subject": subject,
                    "title": task.flow_task.task_title,
                    "owner": task.owner,
                    "created": task.created,
                    "due": due,
                    "overdue": overdue,
                    "url": reverse(f"{namespace}:{node}:index", args=[task.process_id, task.pk]),
                }
            )
        context.update(page_obj=page, rows=rows)
        return context
