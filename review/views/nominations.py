"""Staff pages of calls and nominations: the nomination list and page, its files,
the calls and the call form."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from applications.choices import NominationStatus
from applications.exceptions import DomainError
from applications.models import Call, Nomination, NominationAttachment
from applications.nominations import selectors, services
from applications.questions.selectors import answer_rows
from notifications.selectors import outbox_for_object

from .. import forms
from ..history import history_rows
from ..selectors import nomination_open_task
from .staff import StoredFileView, open_task_context


def nomination_context(nomination) -> dict:
    return {
        "nomination": nomination,
        "eligibility": selectors.nomination_eligibility(nomination),
        "seat_counts": selectors.call_seat_counts(nomination.call),
        "history": history_rows(selectors.nomination_history(nomination), NominationStatus),
        "attachments": nomination.attachments.all(),
        "answers": answer_rows(nomination.answers),
        "emails": outbox_for_object(object_type="applications.nomination", object_id=nomination.pk),
    }


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
        context = super().get_context_data(**kwargs)
        context.update(nomination_context(self.object))
        task = nomination_open_task(nomination=self.object)
        context.update(open_task_context(obj=self.object, task=task, user=self.request.user))
        return context


class NominationAttachmentView(NominationStaffMixin, StoredFileView):
    model = NominationAttachment


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
