"""Reads on the Secretariat's texts: the version in use, the history, what is
edited and where a language is missing; the rendering of a page text.

The placeholder engine (``TextSpec``, ``Placeholder``, ``substitute``) is named
here too, for the apps that may read the domain only through its selectors.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import InterfaceError, OperationalError
from django.db.models import Max
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from applications.choices import Language

from .models import TextVersion
from .pages import PAGES, page_values
from .placeholders import Placeholder, TextSpec, substitute, unknown_tokens

LANGUAGES = tuple(Language.values)
logger = logging.getLogger(__name__)

__all__ = [
    "LANGUAGES",
    "PAGES",
    "Placeholder",
    "TextSpec",
    "current_language",
    "edited",
    "render_page_text",
    "substitute",
    "text_current",
    "text_history",
    "texts_current",
    "unknown_tokens",
]


def current_language() -> str:
    language = (get_language() or "es")[:2]
    return language if language in LANGUAGES else "es"


def text_current(key: str, language: str) -> TextVersion | None:
    """The Secretariat's wording of ``key`` in ``language``, or None: the default."""
    latest = TextVersion.objects.filter(key=key, language=language).order_by("-number").first()
    return None if latest is None or latest.is_default else latest


def texts_current(keys: Iterable[str], language: str) -> dict[str, TextVersion]:
    """``text_current`` of several texts in one language, in two queries."""
    keys = list(keys)
    numbers = (
        TextVersion.objects.filter(key__in=keys, language=language)
        .values("key")
        .annotate(latest=Max("number"))
        .values_list("key", "latest")
    )
    wanted = dict(numbers)
    if not wanted:
        return {}
    found = {}
    for version in TextVersion.objects.filter(key__in=wanted, language=language):
        if version.number == wanted[version.key] and not version.is_default:
            found[version.key] = version
    return found


def text_history(key: str) -> list[TextVersion]:
    """Every version of ``key`` in every language, newest first."""
    return list(
        TextVersion.objects.filter(key=key)
        .select_related("created_by", "restored_from")
        .order_by("language", "-number")
    )


def edited() -> dict[str, dict[str, TextVersion]]:
    """{key: {language: version in use}} of every text the Secretariat reworded."""
    latest = (
        TextVersion.objects.values("key", "language")
        .annotate(latest=Max("number"))
        .values_list("key", "language", "latest")
    )
    wanted = {(key, language): number for key, language, number in latest}
    found: dict[str, dict[str, TextVersion]] = {}
    if not wanted:
        return found
    versions = TextVersion.objects.filter(key__in={key for key, _ in wanted}).select_related(
        "created_by"
    )
    for version in versions:
        if wanted.get((version.key, version.language)) == version.number:
            if not version.is_default:
                found.setdefault(version.key, {})[version.language] = version
    return found


def render_page_text(key: str, *, language: str | None = None, **values) -> SafeString:
    """A page text in ``language`` (default: the current one) as HTML paragraphs.

    The Secretariat's wording if there is one in that language, else the default
    of that language; the placeholders filled with ``values``; every character
    escaped, so the result holds no markup but the paragraphs.
    """
    language = language or current_language()
    spec = PAGES[key]
    try:
        version = text_current(key, language)
    except (OperationalError, InterfaceError):
        # The database is restarting: a page that needs nothing else from it (the
        # home page) is still served, with the default wording.
        logger.warning("page text %s: database unavailable, default shown", key)
        version = None
    text = version.body if version else spec.default(language)[1]
    return page_text_html(text, page_values(key, **values))


def page_text_html(text: str, values: dict) -> SafeString:
    return mark_safe(linebreaks(substitute(text, values), autoescape=True))  # noqa: S308 - escaped
