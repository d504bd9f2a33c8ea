"""Staff pages of the members: the member list and each member's page, with a
button for each step of its membership (the services check who may take it)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import generic

from applications.choices import Constituency
from applications.exceptions import DomainError
from applications.members import selectors, services
from applications.members.models import MembershipStatus
from applications.nominations.selectors import nominations_of_member
from notifications.selectors import outbox_for_object

from .staff import StaffMixin

# step: the service that takes it
STEPS = {
    "suspend": services.member_suspend,
    "restore": services.member_restore,
    "end": services.member_end,
}
# Which steps each state offers.
STEPS_FROM = {
    MembershipStatus.ACTIVE: ("suspend", "end"),
    MembershipStatus.SUSPENDED: ("restore",),
    MembershipStatus.ENDED: (),
}


class MemberListView(StaffMixin, generic.TemplateView):
    template_name = "review/member_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        query = get.get("q", "").strip()[:200]
        status = get.get("status", "")
        constituency = get.get("constituency", "")
        follow_up = get.get("follow_up") == "1"
        rows = selectors.members_for_staff(
            query=query, status=status, constituency=constituency, follow_up=follow_up
        )
        page = Paginator(rows, 50).get_page(get.get("page"))
        params = get.copy()
        params.pop("page", None)
        context.update(
            page_obj=page,
            members=page.object_list,
            query=query,
            statuses=MembershipStatus.choices,
            selected_status=status,
            constituencies=Constituency.choices,
            selected_constituency=constituency,
            follow_up=follow_up,
            querystring=params.urlencode(),
        )
        return context


class MemberDetailView(StaffMixin, generic.DetailView):
    template_name = "review/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return selectors.members_all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.object
        nominations = list(nominations_of_member(member))
        context.update(
            contacts=selectors.member_contacts(member),
            letters=member.letters.order_by("-submitted_at"),
            nominations=nominations,
            seats=[
                n
                for n in nominations
                if n.status == "onboarded" and n.nominee_organisation_id == member.pk
            ],
            history=selectors.member_history(member),
            steps=STEPS_FROM[member.membership_status],
            reconfirmation_due=selectors.member_reconfirmation_due(member),
            emails=outbox_for_object(object_type="applications.organisation", object_id=member.pk),
        )
        return context


class MemberStepView(StaffMixin, generic.View):
    """POST: take one lifecycle step (suspend, restore, end) with its reason."""

    def post(self, request, pk, step):
        member = get_object_or_404(selectors.members_all(), pk=pk)
        service = STEPS.get(step)
        if service is None:
            return redirect("review:member_detail", pk=pk)
        try:
            service(
                organisation=member,
                by=services.Actor(user=request.user),
                reason=request.POST.get("reason", "")[:2000],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Done: the member has been told by email."))
        return redirect("review:member_detail", pk=pk)
