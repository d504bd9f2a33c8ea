"""Abuse protection for public forms: a rate limit per visitor and a honeypot field.

To protect a new public form, do all three:

1. The form gets the honeypot field (first in the bases)::

       from config.abuse import HoneypotFormMixin

       class NominationForm(HoneypotFormMixin, forms.ModelForm):
           ...

   A bot that fills the hidden field gets the form back with one general error
   (which field tripped is not said); ``is_valid()`` is False, so nothing is saved.
   The honeypot is removed from ``cleaned_data``.

2. The template renders it inside the ``<form>``, next to ``{% csrf_token %}``::

       {% include "_honeypot.html" %}                      {# the form is "form" #}
       {% include "_honeypot.html" with form=other_form %}

3. The view counts POSTs per visitor address::

       from config.abuse import rate_limit

       @rate_limit("nomination_create")
       @require_http_methods(["GET", "HEAD", "POST"])
       def nomination_create(request, token): ...

   (class-based views: ``@method_decorator(rate_limit("name"), name="dispatch")``).
   The scope names the counter: give each form its own. Past the limit the
   visitor gets a 429 page in their language saying when to try again, with a
   ``Retry-After`` header; GETs are never counted, so the form page itself and
   the data typed into it (the browser's Back button) stay available.
   ``rate="3/h"`` overrides the ``RATE_LIMIT_PUBLIC_FORMS`` setting for one form.

Tests lower the limit with the ``settings`` fixture:
``settings.RATE_LIMIT_PUBLIC_FORMS = "2/m"``.

The counters live in the "ratelimit" cache: with ``REDIS_URL``, a Redis key
per visitor and window counted with INCR (atomic); otherwise a database table
shared by every web process (``manage.py createcachetable``). The database cache has no atomic
increment, so a window's count is the number of slot keys taken in it: each POST
adds the first free slot with ``cache.add``, which the table's primary key makes
atomic, and when all slots of the window are taken the POST is refused. Windows
are fixed (``10/10m``: 10 POSTs in each 10-minute window), so a burst straddling
two windows can pass twice the rate once. A refused POST reads one row per 100
slots: keep limits in the tens or hundreds. If the table is missing, POSTs are
let through and an error is logged: a forgotten deployment step must not stop
organisations from applying.
"""

import contextlib
import functools
import ipaddress
import logging
import math
import re
import time

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from config.caching import CACHE_ERRORS

logger = logging.getLogger(__name__)

CACHE_ALIAS = "ratelimit"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/10m"`` -> (10 requests, 600 seconds)."""
    match = _RATE.match(rate or "")
    if not match:
        raise ImproperlyConfigured(f"Bad rate {rate!r}: write it as count/period, e.g. 10/10m")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNIT_SECONDS[unit]


def client_ip(request) -> str:
    """The visitor's address: ``REMOTE_ADDR``, or behind our reverse proxies the
    address the outermost one of them saw (see ``CLIENT_IP_PROXY_COUNT``)."""
    proxies = settings.CLIENT_IP_PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def address_group(address: str) -> str:
    """The address that stands for a visitor: IPv6 visitors are grouped by /64, the
    block one subscriber usually gets, so that rotating addresses does not help
    (the block's first address, e.g. ``2001:db8:1:2::``); IPv4 as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def client_ip_group(request) -> str:
    """django-axes' client address (``AXES_CLIENT_IP_CALLABLE``): the login
    lockout counts failures per /64 too, as the rate limits do. What is not an
    address (no REMOTE_ADDR) is passed on as it came: axes stores the address in an
    ``inet`` column on PostgreSQL, which refuses the rate limits' "unknown"."""
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return address
    return address_group(address)


def _visitor_key(address: str) -> str:
    """A pseudonymous key for an address's group (see ``address_group``)."""
    # The salt names this module's old place: changing it would reset every live counter.
    return salted_hmac("applications.abuse", address_group(address)).hexdigest()[:32]


def take(scope: str, request, rate: str) -> int:
    """Count one request of this visitor in ``scope``.

    Returns 0 when it is allowed, or the seconds until the visitor may try again.
    """
    limit, period = parse_rate(rate)
    if limit <= 0:
        return period
    cache = caches[CACHE_ALIAS]
    now = time.time()
    window = int(now // period)
    wait = max(1, math.ceil((window + 1) * period - now))
    base = f"rl:{scope}:{_visitor_key(client_ip(request))}:{window}"
    if not isinstance(cache, DatabaseCache):
        return _take_counted(cache, base, limit=limit, wait=wait, scope=scope)
    connection = connections[router.db_for_write(cache.cache_model_class)]
    # Inside a transaction (ATOMIC_REQUESTS, tests), a savepoint keeps a failure
    # here from breaking it.
    savepoint = transaction.atomic if connection.in_atomic_block else contextlib.nullcontext
    try:
        with savepoint():
            # Slots are taken in order, so the first chunk usually has the free one.
            for start in range(0, limit, 100):
                slots = [f"{base}:{n}" for n in range(start, min(start + 100, limit))]
                taken = cache.get_many(slots)
                for slot in slots:
                    if slot not in taken and cache.add(slot, 1, timeout=wait + 1):
                        return 0
    except DatabaseError:
        table = settings.CACHES[CACHE_ALIAS]["LOCATION"]
        if table in connection.introspection.table_names():
            raise
        # createcachetable was not run: nothing can be counted, but an applicant
        # still gets through, and the log says why.
        logger.exception("No rate-limit table %s; %s not limited", table, scope)
        return 0
    return wait


def _take_counted(cache, key: str, *, limit: int, wait: int, scope: str) -> int:
    """``take`` on a cache with an atomic increment (Redis: INCR): one key per
    visitor and window, created with its expiry, then incremented; the requests
    numbered beyond the limit are refused, however many arrive at once."""
    try:
        cache.add(key, 0, timeout=wait + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls: a new window's first
            cache.add(key, 1, timeout=wait + 1)
            count = 1
    except CACHE_ERRORS:
        # Redis unreachable: as with a missing table, applicants still get through.
        logger.exception("Rate-limit cache unreachable; %s not limited", scope)
        return 0
    return 0 if count <= limit else wait


def too_many_requests(request, *, wait_seconds: int, reason: str, typed_data_kept: bool):
    """The 429 page, in the visitor's language, saying when to try again."""
    response = render(
        request,
        "429.html",
        {
            "reason": reason,
            "minutes": max(1, math.ceil(wait_seconds / 60)),
            "typed_data_kept": typed_data_kept,
        },
        status=429,
    )
    response["Retry-After"] = str(wait_seconds)
    return response


def rate_limit(scope: str, *, rate: str | None = None):
    """Refuse a visitor's POSTs to the decorated view beyond ``rate`` (default:
    the ``RATE_LIMIT_PUBLIC_FORMS`` setting, read at each request)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                wait = take(scope, request, rate or settings.RATE_LIMIT_PUBLIC_FORMS)
                if wait:
                    logger.warning("Rate limit of %s reached; refused for %ds", scope, wait)
                    return too_many_requests(
                        request,
                        wait_seconds=wait,
                        reason=_("This form was sent too many times from your connection."),
                        typed_data_kept=True,
                    )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response (``AXES_LOCKOUT_CALLABLE``)."""
    cool_off = get_cool_off(request)
    return too_many_requests(
        request,
        wait_seconds=math.ceil(cool_off.total_seconds()) if cool_off else 3600,
        reason=_("Too many failed log-in attempts for this user name from your connection."),
        typed_data_kept=False,
    )


HONEYPOT_FIELD = "homepage"


class HoneypotFormMixin:
    """Adds a text field that people never see and bots fill in.

    The field is moved off-screen by CSS, hidden from screen readers
    (``aria-hidden`` on its wrapper in ``_honeypot.html``), out of the tab order
    and of autofill, and its label asks humans to leave it empty.
    """

    honeypot_field = HONEYPOT_FIELD

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.honeypot_field] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @property
    def honeypot(self):
        return self[self.honeypot_field]

    def clean(self):
        cleaned_data = super().clean()
        if self.cleaned_data.pop(self.honeypot_field, ""):
            logger.info("Honeypot filled in %s; refused", type(self).__name__)
            # Nothing to correct, so the message does not ask for it: it says the form was
            # not accepted, that the answers are kept, and whom a person refused by mistake
            # writes to.
            raise ValidationError(
                _(
                    "This form could not be accepted: it looked as if a program had filled it "
                    "in. Your answers are kept below. If you filled it in yourself, write to "
                    "the Technical Secretariat at %(email)s and we will take it from there."
                )
                % {"email": settings.SECRETARIAT_EMAIL},
                code="refused",
            )
        if cleaned_data is not None:
            cleaned_data.pop(self.honeypot_field, None)
        return cleaned_data
