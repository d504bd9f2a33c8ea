"""Public pages of the members: the directory, a member's page and its logo."""

import contextlib
import hashlib
import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import links, uploads
from applications.exceptions import DomainError
from applications.nominations.selectors import committee_members
from config.abuse import rate_limit
from config.caching import CACHE_ERRORS

from . import directory_cache, selectors, services
from .forms import (
    DirectoryFilterForm,
    MemberContactForm,
    MemberEndForm,
    MemberLinkRequestForm,
    MemberProfileForm,
)
from .models import MembershipStatus

logger = logging.getLogger(__name__)

DIRECTORY_CACHE_SECONDS = 600


def directory(request):
    """The public directory. Anonymous visitors get a page cached per language and
    query until any organisation changes (``directory_cache``)."""
    cacheable = not request.user.is_authenticated and not len(messages.get_messages(request))
    if not cacheable:
        return _render_directory(request)
    stamp = directory_cache.stamp(selectors.directory_counted)
    raw = f"{get_language()}|{request.GET.urlencode()}|{stamp}"
    key = "directory:" + hashlib.sha256(raw.encode()).hexdigest()
    try:
        html = cache.get(key)
    except CACHE_ERRORS:  # Redis down (REDIS_URL): the page is rendered, not refused
        logger.warning("directory cache unreachable: page rendered")
        return _render_directory(request)
    if html is None:
        response = _render_directory(request)
        if response.status_code != 200:
            return response
        html = response.content.decode()
        with contextlib.suppress(*CACHE_ERRORS):
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
        request,
        "applications/member_detail.html",
        {
            "member": member,
            "committee": committee,
            "description": member.description_in(get_language()[:2]),
        },
    )


def member_logo(request, pk):
    """A listed member's logo (a re-encoded PNG), from the private store."""
    member = get_object_or_404(selectors.directory_members().exclude(logo_key=""), pk=pk)
    return uploads.stored_file_response(member.logo_key, content_type="image/png")


# --- The member's self-service, behind a link signed for one of its contacts ---


@rate_limit("member_link_request")
@require_http_methods(["GET", "HEAD", "POST"])
def member_link_request(request):
    """Email the self-service link; answers the same whether or not the address is known."""
    form = MemberLinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.member_link_send(email=form.cleaned_data["email"])
        messages.success(
            request,
            _("If this address is a contact of a member, we have sent it a private link."),
        )
        return redirect("member_link_request")
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/member_link_request.html", {"form": form}, status=status)


def _member_link_problem(request, *, expired):
    return render(
        request,
        "applications/member_link_problem.html",
        {"expired": expired, "form": MemberLinkRequestForm()},
        status=410 if expired else 404,
    )


def _contact_from_token(request, token):
    """The contact a member link is signed for, or the link-problem page."""
    try:
        member_pk, contact_pk, digest = links.member_contact_from_token(token)
    except links.LinkExpired:
        return None, _member_link_problem(request, expired=True)
    except links.LinkInvalid:
        return None, _member_link_problem(request, expired=False)
    contact = selectors.member_contact_by_link(member_pk=member_pk, contact_pk=contact_pk)
    if contact is None or not links.member_contact_matches(contact, digest):
        return None, _member_link_problem(request, expired=False)
    return contact, None


def _self_service_page(request, token, contact, *, status=200, **forms):
    member = contact.organisation
    context = {
        "token": token,
        "contact": contact,
        "member": member,
        "ended": member.membership_status == MembershipStatus.ENDED,
        "contacts": selectors.member_contacts(member),
        "history": selectors.member_history(member)[:20],
        "profile_form": forms.get("profile_form")
        or MemberProfileForm(initial=MemberProfileForm.initial_for(member)),
        "contact_form": forms.get("contact_form") or MemberContactForm(),
        "end_form": forms.get("end_form") or MemberEndForm(),
        "reconfirmation_due": selectors.member_reconfirmation_due(member),
    }
    return render(request, "applications/member_self_service.html", context, status=status)


def _store_logo(png):
    try:
        return uploads.store_logo(png)
    except (OSError, BotoCoreError, ClientError) as exc:
        raise DomainError(
            _("We could not store your logo just now. Please try again in a few minutes.")
        ) from exc


@rate_limit("member_self_service")
@require_http_methods(["GET", "HEAD", "POST"])
def member_self_service(request, token):
    """The member's page: its directory profile, its contacts, its membership."""
    contact, problem = _contact_from_token(request, token)
    if problem:
        return problem
    if request.method != "POST":
        return _self_service_page(request, token, contact)
    form = MemberProfileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            logo = form.cleaned_data.get("logo")
            services.member_directory_profile_edit(
                organisation=contact.organisation,
                by=services.Actor(contact=contact),
                descriptions=form.descriptions(),
                website=form.cleaned_data["website"],
                priority_areas=form.cleaned_data["priority_areas"],
                public_listing=form.cleaned_data["public_listing"],
                logo_key=_store_logo(logo) if logo else None,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your directory profile is saved."))
            return redirect("member_self_service", token=token)
    return _self_service_page(request, token, contact, profile_form=form, status=400)


@rate_limit("member_self_service")
@require_POST
def member_contact_add(request, token):
    contact, problem = _contact_from_token(request, token)
    if problem:
        return problem
    form = MemberContactForm(request.POST)
    if form.is_valid():
        try:
            services.member_contact_add(
                organisation=contact.organisation,
                by=services.Actor(contact=contact),
                **{name: form.cleaned_data[name] for name in ("name", "role", "email", "language")},
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The contact is added."))
            return redirect("member_self_service", token=token)
    return _self_service_page(request, token, contact, contact_form=form, status=400)


@rate_limit("member_self_service")
@require_http_methods(["GET", "HEAD", "POST"])
def member_contact_edit(request, token, pk):
    contact, problem = _contact_from_token(request, token)
    if problem:
        return problem
    other = get_object_or_404(selectors.member_contacts(contact.organisation), pk=pk)
    fields = ("name", "role", "email", "language")
    form = MemberContactForm(
        request.POST or None, initial={name: getattr(other, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.member_contact_update(
                contact=other,
                by=services.Actor(contact=contact),
                **{name: form.cleaned_data[name] for name in fields},
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if changed.pending_email:
                messages.info(
                    request,
                    _(
                        "We have sent a confirmation link to %(email)s: the new address "
                        "takes effect once it is confirmed from there."
                    )
                    % {"email": changed.pending_email},
                )
            else:
                messages.success(request, _("The contact is saved."))
            if changed.pk == contact.pk and changed.email != contact.email:
                # This link was signed for the old address: go on with one for the new.
                return redirect(links.member_path(changed))
            return redirect("member_self_service", token=token)
    return render(
        request,
        "applications/member_contact_form.html",
        {"form": form, "token": token, "other": other, "member": contact.organisation},
        status=400 if request.method == "POST" else 200,
    )


@rate_limit("member_self_service")
@require_POST
def member_contact_remove(request, token, pk):
    contact, problem = _contact_from_token(request, token)
    if problem:
        return problem
    other = get_object_or_404(selectors.member_contacts(contact.organisation), pk=pk)
    try:
        services.member_contact_remove(contact=other, by=services.Actor(contact=contact))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The contact is removed."))
        if other.pk == contact.pk:
            return redirect("directory")
    return redirect("member_self_service", token=token)


@rate_limit("member_self_service")
@require_POST
def member_end(request, token):
    contact, problem = _contact_from_token(request, token)
    if problem:
        return problem
    form = MemberEndForm(request.POST)
    if form.is_valid():
        try:
            services.member_end(
                organisation=contact.organisation,
                by=services.Actor(contact=contact),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your membership has ended. Thank you for your work."))
            return redirect("member_self_service", token=token)
    return _self_service_page(request, token, contact, end_form=form, status=400)


@rate_limit("member_self_service")
@require_POST
def member_reconfirm(request, token):
    contact, problem = _contact_from_token(request, token)
    if problem:
        return problem
    try:
        services.member_reconfirm(
            organisation=contact.organisation, by=services.Actor(contact=contact)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your details and commitment are confirmed."))
    return redirect("member_self_service", token=token)


@rate_limit("member_email_confirm")
@require_http_methods(["GET", "HEAD", "POST"])
def member_email_confirm(request, token):
    """The new address of a contact confirms itself (a button: mail scanners open links)."""
    try:
        contact_pk, digest = links.member_email_from_token(token)
    except links.LinkExpired:
        return _member_link_problem(request, expired=True)
    except links.LinkInvalid:
        return _member_link_problem(request, expired=False)
    contact = selectors.member_contact_get_any(contact_pk)
    if contact is None:
        return _member_link_problem(request, expired=False)
    stale = render(request, "applications/member_email_confirm.html", {"invalid": True}, status=410)
    if not services.member_email_pending(contact, digest):
        return stale
    if request.method == "POST":
        try:
            contact = services.member_contact_email_confirm(contact=contact, digest=digest)
        except DomainError:
            return stale
        messages.success(request, _("The new address is confirmed."))
        return redirect(links.member_path(contact))
    return render(request, "applications/member_email_confirm.html", {"contact": contact})
