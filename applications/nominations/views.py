"""Public pages of calls and nominations: the call, the nomination form behind a
member's signed link, the nominee's consent, the nominator's status page."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import uploads
from applications.choices import NominationStatus, reading_language
from applications.drafts import services as draft_services
from applications.drafts.forms import (
    draft_files_shown,
    files_sent,
    fill_initial,
    keep_question_files,
)
from applications.drafts.views import saved_or_refused
from applications.exceptions import DomainError
from applications.links import (
    LinkExpired,
    LinkInvalid,
    call_and_member_from_token,
    consent_token_matches,
    draft_public_id_from_token,
    nomination_from_consent_token,
    nomination_from_status_token,
    nomination_status_path,
    resolve,
)
from applications.members import selectors as members
from config.abuse import HONEYPOT_FIELD, rate_limit

from . import drafts, selectors, services
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
    if request.method == "POST" and "save_draft" in request.POST:
        return _save_draft(request, form, context, call=call, member=member, draft=None)
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
            return _sent(request, nomination)
    uploads.warn_files_not_kept(request)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "applications/nomination_form.html", {**context, "form": form}, status=status
    )


# The form's file fields: "Save and continue later" checks only the files it carries.
DRAFT_FILES = ("cv", "endorsement")


def _nomination_form_page(request, form, context, *, draft=None, kept=(), status=200):
    context = {**context, "form": form}
    if draft is not None:
        context.update(draft=draft, draft_files=draft_files_shown(form, draft), kept=set(kept))
        context["draft_answer_files"] = any(
            getattr(f, "question_label", None) for f in context["draft_files"]
        )
    return render(request, "applications/nomination_form.html", context, status=status)


def _save_draft(request, form, context, *, call, member, draft, kept=()):
    """Save the nomination form as a draft and email its resume link to the member's
    nomination contacts; or show why not. Only the files attached are checked:
    whatever else is missing or wrong is for the submission to say."""
    form.is_valid()
    checked = (*DRAFT_FILES, *form.file_question_names())
    for name in list(form.errors):
        if name not in checked or name not in request.FILES:
            del form._errors[name]
    new_files = [
        uploads.NewFile(name, form.cleaned_data[name])
        for name in DRAFT_FILES
        if form.cleaned_data.get(name)
    ] + form.question_files(for_draft=True)
    contacts = members.member_recipients(member, kind="nomination")
    if not contacts:
        form.add_error(
            None,
            _(
                "This nomination cannot be saved for later: your organisation has no contact "
                "e-mail to send the link to. Write to the Technical Secretariat at %(email)s."
            )
            % {"email": settings.SECRETARIAT_EMAIL},
        )
    if not form.errors:
        data = draft_services.posted_data(request.POST, ignore=[HONEYPOT_FIELD])
        saved = saved_or_refused(
            request,
            form,
            save=lambda: draft_services.draft_save(
                draft=draft,
                data=data,
                contact_email=contacts[0].email,
                language=reading_language(),
                files=new_files,
                keep=list(kept),
                single_kinds=(*drafts.SINGLE_KINDS, *form.file_question_names()),
                call=call,
                nominated_by=member,
                contact_name=(data.get("nominee_name") or [""])[0],
                organisation_name=member.name,
            ),
            saved_message=lambda _saved, until: (
                _(
                    "Your nomination is saved. We have emailed a link to continue it to "
                    "%(member)s's contacts; it works until %(date)s."
                )
                % {"member": member.name, "date": until}
            ),
        )
        if saved is not None:
            return saved
    uploads.warn_files_not_kept(request)
    return _nomination_form_page(request, form, context, draft=draft, kept=kept, status=400)


def _draft_gone(request):
    return render(
        request,
        "applications/nomination_draft_gone.html",
        {"days": settings.DRAFT_EXPIRY_DAYS},
        status=410,
    )


@rate_limit("nomination_create")
@require_http_methods(["GET", "HEAD", "POST"])
def nomination_draft(request, token):
    """A saved nomination, through the link emailed when it was saved: every answer
    and file in place, to save again or send while the call is open."""
    try:
        public_id = draft_public_id_from_token(token)
    except LinkExpired:
        return _draft_gone(request)
    except LinkInvalid:
        return _link_problem(request, expired=False)
    draft = draft_services.draft_get(public_id, nomination=True)
    if draft is None:
        key = request.POST.get("idempotency_key") if request.method == "POST" else None
        sent = selectors.nomination_by_idempotency_key(key) if key else None
        if sent is not None:  # a second click on "Send" after the first one went through
            return redirect(nomination_status_path(sent))
        return _draft_gone(request)
    call, member = draft.call, draft.nominated_by
    context = {**_call_page_context(call), "member": member}
    if call.phase() != CallPhase.OPEN:
        return render(request, "applications/nomination_closed.html", context, status=410)
    if request.method != "POST":
        form = NominationForm(call=call)
        fill_initial(form, draft.data)
        kept = [file.pk for file in draft.files.all()]
        keep_question_files(form, draft, kept)
        return _nomination_form_page(request, form, context, draft=draft, kept=kept)
    own = set(draft.files.values_list("pk", flat=True))
    kept = [int(pk) for pk in request.POST.getlist("keep_file") if pk.isdigit() and int(pk) in own]
    form = NominationForm(request.POST, request.FILES, call=call)
    if "save_draft" in request.POST:
        return _save_draft(request, form, context, call=call, member=member, draft=draft, kept=kept)
    form.files_kept(draft.files.filter(pk__in=kept).values_list("kind", flat=True))
    keep_question_files(form, draft, kept)
    if form.is_valid():
        try:
            nomination = drafts.nomination_draft_submit(
                draft=draft,
                data=form.nomination_data(),
                files=form.new_files(),
                keep=files_sent(form, draft, kept),
                idempotency_key=form.cleaned_data.get("idempotency_key"),
                answers=form.answers(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _sent(request, nomination)
    uploads.warn_files_not_kept(request)
    return _nomination_form_page(request, form, context, draft=draft, kept=kept, status=400)


def _sent(request, nomination):
    messages.success(
        request,
        _(
            "Thank you. We asked %(name)s to confirm the nomination by email; it goes "
            "to the Secretariat once they accept."
        )
        % {"name": nomination.nominee_name},
    )
    return redirect(nomination_status_path(nomination))


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
