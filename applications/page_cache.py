"""Blank public forms served from a per-process cache.

A blank letter form, asked for by an anonymous visitor with nothing else to be
told (no message waiting) and no query string, is the same page for everyone of
a language but for two values: the CSRF token and the form's idempotency key.
The page is rendered once per language and process with a marker in place of
each, and every request gets its own two values put in. Any other request (a
staff member, a message to show, a query string, a POST with its errors and the
visitor's answers) is rendered as usual. Nothing of a visitor is ever stored.
"""

import logging
import secrets
import uuid
from collections import OrderedDict
from threading import Lock

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Markers that cannot occur in a page otherwise: new for each process.
CSRF_MARK = "csrfmark" + secrets.token_hex(16)
KEY_MARK = uuid.uuid4()

SIZE = 32  # pages × languages; the site has one blank page in three languages
_pages: "OrderedDict[tuple, str]" = OrderedDict()
_lock = Lock()


def _cacheable(request) -> bool:
    return (
        request.method == "GET"
        and not request.GET
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


def clear() -> None:
    with _lock:
        _pages.clear()


def blank_form_page(request, template_name: str, form_class) -> HttpResponse:
    """``render(request, template_name, {"form": form_class()})``, from the cache
    when the request allows it (see the module)."""
    if not _cacheable(request):
        return render(request, template_name, {"form": form_class()})
    key = (template_name, form_class, get_language(), request.get_full_path())
    with _lock:
        html = _pages.get(key)
    if html is None:
        form = form_class(initial={"idempotency_key": KEY_MARK})
        html = render_to_string(
            template_name, {"form": form, "csrf_token": CSRF_MARK}, request=request
        )
        if CSRF_MARK not in html or str(KEY_MARK) not in html:
            logger.warning("%s shows no CSRF token or idempotency key: not cached", template_name)
            return render(request, template_name, {"form": form_class()})
        with _lock:
            _pages[key] = html
            while len(_pages) > SIZE:
                _pages.popitem(last=False)
    return HttpResponse(
        html.replace(CSRF_MARK, get_token(request)).replace(str(KEY_MARK), str(uuid.uuid4()))
    )
