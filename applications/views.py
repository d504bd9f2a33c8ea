"""Public pages: home, the letter form, the status page behind a signed link, the directory."""

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notifications.services import notify

from . import directory_cache, selectors, services, uploads
from .abuse import rate_limit
from .choices import LetterStatus
from .exceptions import DomainError
from .forms import DirectoryFilterForm, LetterForm, StatusLinkRequestForm, WithdrawForm
from .links import (
    LinkExpired,
    LinkInvalid,
    letter_public_id_from_token,
    status_path,
    status_token,
)
from .nominations.selectors import committee_members
from .page_cache import blank_form_page


def home(request):
    return render(request, "home.html")


@rate_limit("letter_create")
@require_http_methods(["GET", "POST"])
def letter_create(request):
    if request.method == "GET":
        return blank_form_page(request, "applications/letter_form.html", LetterForm)
    form = LetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_submit(
                data=form.letter_data(),
                files=form.new_files(),
                idempotency_key=form.cleaned_data.get("idempotency_key"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(reverse("applications:letter_received", args=[status_token(letter)]))
    if request.method == "POST" and request.FILES:
        messages.warning(
            request,
            _(
                "Your answers are kept below, but browsers do not keep chosen files: "
                "attach them again."
            ),
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/letter_form.html", {"form": form}, status=status)


def _letter_from_token(request, token):
    """The letter of a status link, or a rendered error page."""
    try:
        public_id = letter_public_id_from_token(token)
    except LinkExpired:
        return None, _link_problem(request, expired=True)
    except LinkInvalid:
        return None, _link_problem(request, expired=False)
    letter = selectors.letter_get_by_public_id(public_id)
    if letter is None:
        return None, _link_problem(request, expired=False)
    return letter, None


def _link_problem(request, *, expired):
    return render(
        request,
        "applications/link_problem.html",
        {"expired": expired, "form": StatusLinkRequestForm()},
        status=410 if expired else 404,
    )


def letter_received(request, token):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    return render(
        request,
        "applications/letter_received.html",
        {"letter": letter, "status_path": status_path(letter)},
    )


def letter_status(request, token):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    history = [
        {"state": log.state, "label": LetterStatus(log.state).label, "when": log.timestamp}
        for log in selectors.letter_history(letter)
        if log.state in LetterStatus.values
    ]
    return render(
        request,
        "applications/letter_status.html",
        {
            "letter": letter,
            "token": token,
            "history": history,
            "explanation": selectors.APPLICANT_STATUS_TEXT[letter.status],
            "can_edit": letter.status == LetterStatus.CHANGES_REQUESTED,
            "can_withdraw": letter.status
            in (LetterStatus.SUBMITTED, LetterStatus.CHANGES_REQUESTED, LetterStatus.REVIEWED),
            "withdraw_form": WithdrawForm(),
        },
    )


@rate_limit("letter_edit")
@require_http_methods(["GET", "POST"])
def letter_edit(request, token):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    if letter.status != LetterStatus.CHANGES_REQUESTED:
        messages.info(
            request, _("This letter cannot be edited now: it is not waiting for changes.")
        )
        return redirect("applications:letter_status", token=token)
    form = LetterForm(request.POST or None, request.FILES or None, instance=letter)
    if request.method == "POST" and form.is_valid():
        try:
            services.letter_resubmit(letter=letter, data=form.letter_data(), files=form.new_files())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you. Your letter was sent again for screening."))
            return redirect("applications:letter_status", token=token)
    return render(
        request,
        "applications/letter_form.html",
        {"form": form, "letter": letter, "editing": True},
        status=400 if request.method == "POST" else 200,
    )


@rate_limit("letter_withdraw")
@require_POST
def letter_withdraw(request, token):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that you want to withdraw."))
        return redirect("applications:letter_status", token=token)
    try:
        services.letter_withdraw(letter=letter, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your letter was withdrawn."))
    return redirect("applications:letter_status", token=token)


def letter_attachment(request, token, pk):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    attachment = get_object_or_404(letter.attachments, pk=pk)
    return uploads.stored_file_response(
        attachment.key, content_type=attachment.content_type, download_name=attachment.original_name
    )


@rate_limit("status_link_request")
@require_http_methods(["GET", "POST"])
def status_link_request(request):
    """Email fresh status links; answers the same whether or not the address is known."""
    form = StatusLinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        nonce = timezone.now().strftime("%Y%m%d%H")  # at most one email an hour per letter
        with transaction.atomic():
            for letter in selectors.letters_for_email(form.cleaned_data["email"])[:10]:
                notify(event="letter_status_link", obj=letter, nonce=f"link-{nonce}")
        messages.success(
            request,
            _("If we hold a letter for this address, we have sent it a new link."),
        )
        return redirect("applications:status_link_request")
    return render(request, "applications/status_link_request.html", {"form": form})


DIRECTORY_CACHE_SECONDS = 600


def directory(request):
    """The public directory. Anonymous visitors get a page cached per language and
    query until any organisation changes (applications.directory_cache)."""
    cacheable = not request.user.is_authenticated and not len(messages.get_messages(request))
    if not cacheable:
        return _render_directory(request)
    raw = f"{get_language()}|{request.GET.urlencode()}|{directory_cache.stamp()}"
    key = "directory:" + hashlib.sha256(raw.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        response = _render_directory(request)
        if response.status_code != 200:
            return response
        html = response.content.decode()
        cache.set(key, html, DIRECTORY_CACHE_SECONDS)
    return HttpResponse(html)


def _render_directory(request):
    form = DirectoryFilterForm(
        request.GET or None, country_codes=selectors.directory_country_codes()
    )
    data = form.cleaned_data if form.is_valid() else {}
    members = selectors.directory_search(
        query=(data.get("q") or "").strip(),
        constituency=data.get("constituency") or "",
        region=data.get("region") or "",
        country=data.get("country") or "",
        priority_area=data.get("priority_area") or "",
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/directory.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.directory_counts(),
            "querystring": query.urlencode(),
            "committee": committee_members(),
        },
    )


def member_detail(request, pk):
    member = get_object_or_404(selectors.directory_members(), pk=pk)
    committee = committee_members().filter(nominee_organisation=member)
    return render(
        request, "applications/member_detail.html", {"member": member, "committee": committee}
    )


@rate_limit("member_onboarding")
@require_http_methods(["GET", "POST"])
def member_onboarding(request, token):
    """The new member's onboarding checklist, behind the link in its approval email."""
    from .forms import OnboardingChecklistForm
    from .links import letter_public_id_from_onboarding_token

    letter, expired = None, False
    try:
        letter = selectors.letter_get_by_public_id(letter_public_id_from_onboarding_token(token))
    except LinkExpired:
        expired = True
    except LinkInvalid:
        pass
    if letter is None or letter.organisation is None:
        return render(
            request,
            "applications/onboarding_link_problem.html",
            {"expired": expired},
            status=410 if expired else 404,
        )
    if letter.status == LetterStatus.ONBOARDED:
        return render(request, "applications/onboarding_done.html", {"letter": letter})
    organisation = letter.organisation
    form = OnboardingChecklistForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "name": organisation.name,
            "description": organisation.description,
            "website": organisation.website,
            "public_listing": letter.consent_public_listing,
            "contacts": letter.contact_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_onboarding_complete(letter=letter, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("member_onboarding", token=token)
    return render(
        request,
        "applications/onboarding_form.html",
        {"form": form, "letter": letter},
        status=400 if request.method == "POST" else 200,
    )


def member_logo(request, pk):
    """A listed member's logo (a re-encoded PNG), from the private store."""
    member = get_object_or_404(selectors.directory_members().exclude(logo_key=""), pk=pk)
    return uploads.stored_file_response(member.logo_key, content_type="image/png")
