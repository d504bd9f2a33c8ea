"""Public pages of the members: the directory, a member's page and its logo."""

import contextlib
import functools
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
    render_page = functools.partial(_render_directory, stamp=stamp)
    raw = f"{get_language()}|{request.GET.urlencode()}|{stamp}"
    key = "directory:" + hashlib.sha256(raw.encode()).hexdigest()
    try:
        html = cache.get(key)
    except CACHE_ERRORS:  # Redis down (REDIS_URL): the page is rendered, not refused
        logger.warning("directory cache unreachable: page rendered")
        return render_page(request)
    if html is None:
        response = render_page(request)
        if response.status_code != 200:
            return response
        html = response.content.decode()
        with contextlib.suppress(*CACHE_ERRORS):
            cache.set(key, html, DIRECTORY_CACHE_SECONDS)
    return HttpResponse(html)


# This process's directory facets (counts per constituency, countries), under the
# stamp they were read with: the same for every query and page until an
# organisation changes, so a page rendered afresh (another search, another page)
# does not read every listed member again for them.
_facets_by_stamp: dict[str, selectors.DirectoryFacets] = {}


def _facets(stamp: str | None) -> selectors.DirectoryFacets:
    if stamp is None:
        return selectors.directory_facets()
    facets = _facets_by_stamp.get(stamp)
    if facets is None:
        facets = selectors.directory_facets()
        _facets_by_stamp.clear()  # only the current stamp's are ever read
        _facets_by_stamp[stamp] = facets
    return facets


def _render_directory(request, stamp: str | None = None):
    facets = _facets(stamp)
    form = DirectoryFilterForm(request.GET or None, country_codes=facets.country_codes)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "query": (data.get("q") or "").strip(),
        "constituency": data.get("constituency") or "",
        "region": data.get("region") or "",
        "country": data.get("country") or "",
        "priority_area": data.get("priority_area") or "",
    }
    paginator = Paginator(selectors.directory_search(**filters), 50)
    known = facets.count_for(**filters)
    if known is not None:
        paginator.count = known  # the facets counted them already: no second count
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/directory.html",
        {
            "form": form,
            "page": page,
            "counts": facets.counts,
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


def _member_link(view):
    """The view runs for the contact its link is signed for (``view(request, token,
    contact, ...)``); a tampered, unknown or expired link gets the link-problem page."""

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        contact, problem = _contact_from_token(request, token)
        if problem:
            return problem
        return view(request, token, contact, *args, **kwargs)

    return wrapper


def _submit(request, token, action, *, form=None, success="", done=None, failed=None):
    """What every self-service POST does: when ``form`` is absent or valid, run
    ``action()`` (the service). On success, ``done(result)`` answers, or the
    ``success`` message and back to the member's page. A refusal (``DomainError``)
    goes on the form, or into a message without one; then ``failed()`` answers
    (the form again, with its answers kept), or back to the member's page."""
    if form is None or form.is_valid():
        try:
            result = action()
        except DomainError as error:
            if form is None:
                messages.error(request, error.message)
            else:
                form.add_error(None, error.message)
        else:
            if done is not None:
                return done(result)
            messages.success(request, success)
            return redirect("member_self_service", token=token)
    if failed is None:
        return redirect("member_self_service", token=token)
    return failed()


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


CONTACT_FIELDS = ("name", "role", "email", "language")


@rate_limit("member_self_service")
@require_http_methods(["GET", "HEAD", "POST"])
@_member_link
def member_self_service(request, token, contact):
    """The member's page: its directory profile, its contacts, its membership."""
    if request.method != "POST":
        return _self_service_page(request, token, contact)
    form = MemberProfileForm(request.POST, request.FILES)

    def save():
        logo = form.cleaned_data.get("logo")
        return services.member_directory_profile_edit(
            organisation=contact.organisation,
            by=services.Actor(contact=contact),
            descriptions=form.descriptions(),
            website=form.cleaned_data["website"],
            priority_areas=form.cleaned_data["priority_areas"],
            public_listing=form.cleaned_data["public_listing"],
            logo_key=_store_logo(logo) if logo else None,
        )

    return _submit(
        request,
        token,
        save,
        form=form,
        success=_("Your directory profile is saved."),
        failed=lambda: _self_service_page(request, token, contact, profile_form=form, status=400),
    )


@rate_limit("member_self_service")
@require_POST
@_member_link
def member_contact_add(request, token, contact):
    form = MemberContactForm(request.POST)
    return _submit(
        request,
        token,
        lambda: services.member_contact_add(
            organisation=contact.organisation,
            by=services.Actor(contact=contact),
            **{name: form.cleaned_data[name] for name in CONTACT_FIELDS},
        ),
        form=form,
        success=_("The contact is added."),
        failed=lambda: _self_service_page(request, token, contact, contact_form=form, status=400),
    )


@rate_limit("member_self_service")
@require_http_methods(["GET", "HEAD", "POST"])
@_member_link
def member_contact_edit(request, token, contact, pk):
    other = get_object_or_404(selectors.member_contacts(contact.organisation), pk=pk)
    form = MemberContactForm(
        request.POST or None, initial={name: getattr(other, name) for name in CONTACT_FIELDS}
    )

    def page(status):
        return render(
            request,
            "applications/member_contact_form.html",
            {"form": form, "token": token, "other": other, "member": contact.organisation},
            status=status,
        )

    def done(changed):
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

    if request.method != "POST":
        return page(200)
    return _submit(
        request,
        token,
        lambda: services.member_contact_update(
            contact=other,
            by=services.Actor(contact=contact),
            **{name: form.cleaned_data[name] for name in CONTACT_FIELDS},
        ),
        form=form,
        done=done,
        failed=lambda: page(400),
    )


@rate_limit("member_self_service")
@require_POST
@_member_link
def member_contact_remove(request, token, contact, pk):
    other = get_object_or_404(selectors.member_contacts(contact.organisation), pk=pk)

    def done(_removed):
        messages.success(request, _("The contact is removed."))
        if other.pk == contact.pk:
            return redirect("directory")
        return redirect("member_self_service", token=token)

    return _submit(
        request,
        token,
        lambda: services.member_contact_remove(contact=other, by=services.Actor(contact=contact)),
        done=done,
    )


@rate_limit("member_self_service")
@require_POST
@_member_link
def member_end(request, token, contact):
    form = MemberEndForm(request.POST)
    return _submit(
        request,
        token,
        lambda: services.member_end(
            organisation=contact.organisation,
            by=services.Actor(contact=contact),
            reason=form.cleaned_data["reason"],
        ),
        form=form,
        success=_("Your membership has ended. Thank you for your work."),
        failed=lambda: _self_service_page(request, token, contact, end_form=form, status=400),
    )


@rate_limit("member_self_service")
@require_POST
@_member_link
def member_reconfirm(request, token, contact):
    return _submit(
        request,
        token,
        lambda: services.member_reconfirm(
            organisation=contact.organisation, by=services.Actor(contact=contact)
        ),
        success=_("Thank you: your details and commitment are confirmed."),
    )


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
