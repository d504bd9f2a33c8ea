"""The site's URLs plus ``/bench/constant/<size>/``: a page of ``size`` bytes
that costs nothing to make, served through the same middleware, the ceiling
bench/pages.py compares real pages with. Only bench/pages_settings.py uses it."""

from functools import cache

from django.http import HttpResponse
from django.urls import path

from config.urls import handler403  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


@cache
def _body(size: int) -> bytes:
    head = b'<!doctype html><html lang="es"><title>constant</title><body><p>'
    tail = b"</p></body></html>\n"
    return head + b"x" * max(size - len(head) - len(tail), 0) + tail


def constant(request, size):
    return HttpResponse(_body(min(size, 1_000_000)))


urlpatterns = [path("bench/constant/<int:size>/", constant), *site_urlpatterns]
