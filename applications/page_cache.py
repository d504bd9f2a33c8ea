"""Blank public forms served from a per-process cache.

A blank letter form, asked for by an anonymous visitor with nothing else to be
told (no message waiting) and no query string, is the same page for everyone of
a language but for two values: the CSRF token and the form's idempotency key.
The page is rendered once per language and process with a marker in place of
each, and every request gets its own two values put in. Any other request (a
staff member, a message to show, a query string, a POST with its errors and the
visitor's answers) is rendered as usual. Nothing of a visitor is ever stored.

What the Secretariat changes on a form (its extra questions, the page texts)
renews a stamp in the "shared" cache, a database table every process reads
(``forms_changed``); the stamp is part of the key, so every process renders
its blank pages again after such a change.
"""

import logging
import secrets
import uuid
from collections import OrderedDict
from threading import Lock

from django.contrib import messages
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from config.caching import CACHE_ERRORS

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


STAMP_KEY = "forms:stamp"


def forms_changed() -> None:
    """Call inside a write that changes what a blank form shows: once it commits,
    every process renders its blank pages again."""
    transaction.on_commit(
        lambda: caches["shared"].set(STAMP_KEY, uuid.uuid4().hex, timeout=None), robust=True
    )


def _stamp() -> str | None:
    """The forms' stamp, or None when it cannot be read (then nothing is cached)."""
    try:
        return caches["shared"].get(STAMP_KEY) or ""
    except (DatabaseError, *CACHE_ERRORS):
        logger.warning("forms stamp unreadable (was createcachetable run?): not cached")
        return None


def clear() -> None:
    with _lock:
        _pages.clear()


def blank_form_page(request, template_name: str, form_class) -> HttpResponse:
    """``render(request, template_name, {"form": form_class()})``, from the cache
    when the request allows it (see the module)."""
    stamp = _stamp() if _cacheable(request) else None
    if stamp is None:
        return render(request, template_name, {"form": form_class()})
    key = (template_name, form_class, get_language(), request.get_full_path(), stamp)
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
