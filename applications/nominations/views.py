"""Public pages of calls and nominations: the call, the nomination form behind a
member's signed link, the nominee's consent, the nominator's status page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import uploads
from applications.choices import NominationStatus
from applications.exceptions import DomainError
from applications.links import (
    LinkExpired,
    LinkInvalid,
    call_and_member_from_token,
    consent_token_matches,
    nomination_from_consent_token,
    nomination_from_status_token,
    nomination_status_path,
    resolve,
)
from applications.members import selectors as members
from config.abuse import rate_limit

from . import selectors, services
from .forms import ConsentForm, NominationForm, NominationLinkRequestForm, NominationWithdrawForm
from .models import CallPhase

WITHDRAWABLE = (
    NominationStatus.AWAITING_CONSENT,
    NominationStatus.SUBMITTED,
    NominationStatus.REVIEWED,
)


def _link_problem(request, *, expired: bool, message: str = ""):
    return render(
        request,
        "applications/nomination_link_problem.html",
        {"expired": expired, "message": message},
        status=410 if expired else 404,
    )


def call_list(request):
    page = Paginator(selectors.calls_public(), 20).get_page(request.GET.get("page"))
    return render(request, "applications/call_list.html", {"page": page, "now": timezone.now()})


def _call_page_context(call) -> dict:
    phase = call.phase()
    return {
        "call": call,
        "phase": phase,
        "seat_counts": selectors.call_seat_counts(call),
        "results": selectors.call_results(call) if phase == CallPhase.CLOSED else [],
        "closing": call.closing_text(),
        "link_form": NominationLinkRequestForm(),
    }


def call_detail(request, public_id):
    call = selectors.call_get_by_public_id(public_id)
    if call is None:
        return render(request, "404.html", status=404)
    return render(request, "applications/call_detail.html", _call_page_context(call))


@rate_limit("nomination_link_request")
@require_POST
def nomination_link_request(request, public_id):
    """A member's contact asks for its nomination link again; anyone else learns nothing."""
    call = selectors.call_get_by_public_id(public_id)
    if call is None:
        return render(request, "404.html", status=404)
    form = NominationLinkRequestForm(request.POST)
    if not form.is_valid():
        context = {**_call_page_context(call), "link_form": form}
        return render(request, "applications/call_detail.html", context, status=400)
    services.call_nomination_link_send(call=call, email=form.cleaned_data["email"])
    messages.info(
        request,
        _(
            "If this address is the contact of a member organisation, a nomination link is on "
            "its way. Only member organisations of the Alliance can nominate."
        ),
    )
    return redirect(call.get_absolute_url())


def _call_and_member(request, token):
    try:
        call_id, member_id = call_and_member_from_token(token)
    except LinkExpired:
        return None, None, _link_problem(request, expired=True)
    except LinkInvalid:
        return None, None, _link_problem(request, expired=False)
    call = selectors.call_get_by_public_id(call_id)
    member = members.member_get(member_id)
    if call is None:
        return None, None, _link_problem(request, expired=False)
    if member is None:
        return (
            None,
            None,
            _link_problem(
                request,
                expired=False,
                message=_("Only member organisations of the Alliance can nominate."),
            ),
        )
    return call, member, None


@rate_limit("nomination_create")
@require_http_methods(["GET", "HEAD", "POST"])
def nomination_create(request, token):
    call, member, problem = _call_and_member(request, token)
    if problem:
        return problem
    phase = call.phase()
    context = {**_call_page_context(call), "member": member}
    if phase != CallPhase.OPEN:
        return render(request, "applications/nomination_closed.html", context, status=410)
    form = NominationForm(request.POST or None, request.FILES or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nomination_submit(
                call=call,
                nominated_by=member,
                data=form.nomination_data(),
                files=form.new_files(),
                idempotency_key=form.cleaned_data.get("idempotency_key"),
                answers=form.answers(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Thank you. We asked %(name)s to confirm the nomination by email; it goes "
                    "to the Secretariat once they accept."
                )
                % {"name": nomination.nominee_name},
            )
            return redirect(nomination_status_path(nomination))
    uploads.warn_files_not_kept(request)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "applications/nomination_form.html", {**context, "form": form}, status=status
    )


def _nomination_from_status(request, token):
    nomination, expired = resolve(
        token, decode=nomination_from_status_token, get=selectors.nomination_get_by_public_id
    )
    if nomination is None:
        return None, _link_problem(request, expired=expired)
    return nomination, None


def nomination_status(request, token):
    nomination, problem = _nomination_from_status(request, token)
    if problem:
        return problem
    history = [
        {"label": NominationStatus(log.state).label, "when": log.timestamp}
        for log in selectors.nomination_history(nomination)
        if log.state in NominationStatus.values
    ]
    return render(
        request,
        "applications/nomination_status.html",
        {
            "nomination": nomination,
            "token": token,
            "history": history,
            "can_withdraw": nomination.status in WITHDRAWABLE,
            "withdraw_form": NominationWithdrawForm(),
        },
    )


@rate_limit("nomination_withdraw")
@require_POST
def nomination_withdraw(request, token):
    nomination, problem = _nomination_from_status(request, token)
    if problem:
        return problem
    form = NominationWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the withdrawal."))
        return redirect(nomination_status_path(nomination))
    try:
        services.nomination_withdraw(nomination=nomination, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The nomination was withdrawn."))
    return redirect(nomination_status_path(nomination))


@rate_limit("nomination_consent")
@require_http_methods(["GET", "HEAD", "POST"])
def nomination_consent(request, token):
    try:
        public_id, email_digest = nomination_from_consent_token(token)
    except LinkExpired:
        return _link_problem(request, expired=True)
    except LinkInvalid:
        return _link_problem(request, expired=False)
    nomination = selectors.nomination_get_by_public_id(public_id)
    if nomination is None or not consent_token_matches(nomination, email_digest):
        return _link_problem(request, expired=False)
    answered = nomination.status != NominationStatus.AWAITING_CONSENT
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and not answered and form.is_valid():
        try:
            nomination = services.nomination_consent(
                nomination=nomination, accept=form.cleaned_data["answer"] == "accept"
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if nomination.status == NominationStatus.SUBMITTED:
                messages.success(
                    request,
                    _("Thank you: you accepted. The Secretariat will now screen the nomination."),
                )
            else:
                messages.success(
                    request, _("You declined the nomination. Thank you for answering.")
                )
        return redirect(reverse("applications:nomination_consent", args=[token]))
    if request.method == "POST" and answered:
        messages.info(
            request,
            _("This nomination was already answered: it is now “%(status)s”.")
            % {"status": nomination.get_status_display()},
        )
    context = {
        "nomination": nomination,
        "form": form,
        "answered": answered,
        "closing": nomination.call.closing_text(),
    }
    status = 400 if request.method == "POST" and not answered else 200
    return render(request, "applications/nomination_consent.html", context, status=status)
