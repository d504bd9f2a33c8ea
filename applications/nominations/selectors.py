"""Reads about calls, nominations and the Management Committee."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm_log.models import StateLog

from applications import matching
from applications.choices import NominationAttachmentKind, NominationStatus

from .models import Call, CallSeat, Nomination

# Nominations that hold (or will hold) a committee seat.
SEATED = (NominationStatus.APPROVED, NominationStatus.ONBOARDED)


def call_get_by_public_id(public_id) -> Call | None:
    try:
        return Call.objects.prefetch_related("seats").filter(public_id=public_id).first()
    except (ValueError, ValidationError):  # a malformed UUID is "not found", not an error
        return None


def calls_public():
    """Every call that has opened, newest first, then the ones scheduled."""
    return Call.objects.prefetch_related("seats").order_by("-opens_at", "-pk")


def nomination_by_idempotency_key(key) -> Nomination | None:
    """The nomination a form with this idempotency key already sent, if any."""
    try:
        return Nomination.objects.filter(idempotency_key=key).first()
    except (ValueError, ValidationError):  # not a UUID: nothing was sent with it
        return None


def nomination_get_by_public_id(public_id) -> Nomination | None:
    try:
        return (
            Nomination.objects.select_related("call", "nominated_by", "nominee_organisation")
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, ValidationError):  # a malformed UUID is "not found"
        return None


def nomination_history(nomination: Nomination):
    return StateLog.objects.for_(nomination).select_related("by").order_by("timestamp", "pk")


@dataclass(frozen=True)
class SeatCount:
    constituency: str
    label: str
    seats: int
    approved: int

    @property
    def free(self) -> int:
        return max(self.seats - self.approved, 0)


def call_seat_counts(call: Call) -> list[SeatCount]:
    """Seats per constituency of a call, with how many are filled by approved nominees."""
    approved = dict(
        call.nominations.filter(status__in=SEATED)
        .values_list("constituency")
        .annotate(n=Count("pk"))
        .values_list("constituency", "n")
    )
    return [
        SeatCount(
            seat.constituency,
            seat.get_constituency_display(),
            seat.seats,
            approved.get(seat.constituency, 0),
        )
        for seat in CallSeat.objects.filter(call=call).order_by("constituency")
    ]


def call_results(call: Call):
    """The approved and onboarded nominees of a call (public once it closed)."""
    return (
        call.nominations.filter(status__in=SEATED)
        .select_related("nominee_organisation")
        .order_by("constituency", "nominee_name")
    )


def committee_members():
    """People onboarded onto the Management Committee, newest call first."""
    return (
        Nomination.objects.filter(status=NominationStatus.ONBOARDED)
        .select_related("nominee_organisation", "call")
        .order_by("constituency", "nominee_name")
    )


def nominations_of_member(member):
    """Nominations a member made or whose nominee belongs to it, newest first."""
    return (
        Nomination.objects.filter(Q(nominated_by=member) | Q(nominee_organisation=member))
        .select_related("call", "nominated_by", "nominee_organisation")
        .order_by("-submitted_at", "-pk")
    )


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str = ""


def nomination_eligibility(nomination: Nomination) -> list[Check]:
    """The eligibility checklist, computed from the member roll and the call.

    Shown to the screener; nothing here is typed by a person.
    """
    call = nomination.call
    nominator, nominee_org = nomination.nominated_by, nomination.nominee_organisation
    seat_constituencies = set(call.seats.values_list("constituency", flat=True))
    kinds = set(nomination.attachments.values_list("kind", flat=True))
    accepted_log = (
        StateLog.objects.for_(nomination).filter(transition="accept").order_by("pk").first()
    )
    email_domain = matching.email_domain(nomination.nominee_email)
    org_domain = nominee_org.website_domain or matching.email_domain(nominee_org.contact_email)
    checks = [
        Check(
            _("The nominating organisation is a member"),
            nominator.member_since is not None,
            str(nominator),
        ),
        Check(
            _("The nominee's organisation is a member"),
            nominee_org.member_since is not None,
            str(nominee_org),
        ),
        Check(
            _("The nominee's organisation belongs to the constituency"),
            nominee_org.constituency == nomination.constituency,
            str(nominee_org.get_constituency_display()),
        ),
        Check(
            _("The call has seats for this constituency"),
            nomination.constituency in seat_constituencies,
            str(nomination.get_constituency_display()),
        ),
        Check(
            _("Nominated while the call was open"),
            call.opens_at <= nomination.submitted_at < call.closes_at,
        ),
        Check(
            _("The nominee accepted the nomination"),
            accepted_log is not None,
        ),
        Check(
            _("CV and endorsement letter attached"),
            {NominationAttachmentKind.CV, NominationAttachmentKind.ENDORSEMENT} <= kinds,
        ),
    ]
    if email_domain and org_domain:
        checks.append(
            Check(
                _("The nominee's e-mail domain is the organisation's"),
                email_domain == org_domain or email_domain.endswith("." + org_domain),
                email_domain,
            )
        )
    return checks


def nominations_for_staff(*, call=None, status="", query=""):
    nominations = Nomination.objects.select_related("call", "nominated_by", "nominee_organisation")
    if call is not None:
        nominations = nominations.filter(call=call)
    if status:
        nominations = nominations.filter(status=status)
    if query:
        nominations = nominations.filter(
            Q(nominee_name__icontains=query) | Q(nominee_organisation__name__icontains=query)
        )
    return nominations.order_by("-submitted_at", "-pk")


def calls_to_invite(now=None):
    now = now or timezone.now()
    return Call.objects.filter(
        invitations_sent_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    )
