"""A request that fails because the database cannot be reached gets a 503 page in
the visitor's language, not the generic 500 page.

While PostgreSQL restarts (a failover, a minor upgrade), connecting or querying
raises ``OperationalError`` or ``InterfaceError``. Nothing of that request was
saved: its transaction never committed. The 503 page says so and asks the visitor
to try again in a minute; ``Retry-After`` tells browsers and crawlers that it is
temporary. Once the database is back, ``CONN_HEALTH_CHECKS`` makes each process
replace its broken connection on its next request: nothing needs restarting.

Errors raised in a view reach ``process_exception``. Some middleware read the
database before any view runs (the session behind ``request.user`` on staff
pages) or after it (saving the session); Django turns their errors into the 500
page inside the stack, where no ``process_exception`` sees them. For those,
``got_request_exception`` marks the request, and this middleware, listed first,
turns that 500 into the 503 page on the way out, keeping the headers the other
middleware set. Saving the session after the view is one of those reads, and
Django reports its failure as a 400 unless ``SessionMiddleware`` below is used.
"""

import logging
import sys

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_MARK = "_database_unavailable"


def _page(request) -> str:
    """The 503 page, rendered without the request: the context processors
    would read the session and the user, i.e. the database."""
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(
        request
    )
    with translation.override(language):
        return render_to_string("503.html", {"sent": request.method == "POST"})


def _make_unavailable(response, request):
    response.status_code = 503
    response.reason_phrase = "Service Unavailable"
    response.content = _page(request)
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, _MARK, False) and response.status_code == 500:
            return _make_unavailable(response, request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
        return _make_unavailable(HttpResponse(), request)


@receiver(got_request_exception, dispatch_uid="config.middleware.database_unavailable")
def _mark_database_unavailable(sender, request=None, **kwargs):
    """Called while Django handles an uncaught exception, so ``sys.exc_info()`` is it."""
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        setattr(request, _MARK, True)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except for a session that cannot be saved because the database went
    away after the view: Django's session store reports any database error while
    updating a session as ``UpdateError``, which the middleware turns into
    ``SessionInterrupted``, a bare 400 "Bad Request" (the session "deleted by a
    concurrent request"). When the error behind it is the database being
    unreachable, that error is raised instead, so that the visitor gets the 503
    page like any other request the outage cut."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except SessionInterrupted as interrupted:
            cause = interrupted.__context__  # UpdateError, raised on the database error
            database_error = getattr(cause, "__context__", None)
            if isinstance(cause, UpdateError) and isinstance(database_error, DATABASE_UNAVAILABLE):
                raise database_error from interrupted
            raise


class FileHeldMiddleware:
    """A stored file that its virus scan holds back (``applications.uploads.FileHeld``)
    gets a page saying why, in the visitor's language: 503 with ``Retry-After``
    while the scan is not done, 410 once it is quarantined."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from applications.uploads import FileHeld

        if not isinstance(exception, FileHeld):
            return None
        pending = exception.status == "pending"
        response = render(
            request, "file_held.html", {"pending": pending}, status=503 if pending else 410
        )
        if pending:
            response["Retry-After"] = "300"
        add_never_cache_headers(response)
        return response
