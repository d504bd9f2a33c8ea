"""Public pages of the members: the directory, a member's page and its logo."""

import contextlib
import hashlib
import logging

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from applications import uploads
from applications.nominations.selectors import committee_members
from config.caching import CACHE_ERRORS

from . import directory_cache, selectors
from .forms import DirectoryFilterForm

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
        request, "applications/member_detail.html", {"member": member, "committee": committee}
    )


def member_logo(request, pk):
    """A listed member's logo (a re-encoded PNG), from the private store."""
    member = get_object_or_404(selectors.directory_members().exclude(logo_key=""), pk=pk)
    return uploads.stored_file_response(member.logo_key, content_type="image/png")
