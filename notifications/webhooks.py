"""anymail's webhooks, secure by default: mounted for the ESP that sends our mail
only, and closed (404) until ``ANYMAIL_WEBHOOK_SECRET`` is set.

anymail ships a webhook per ESP and per purpose (``<esp>_tracking_webhook``,
``<esp>_inbound_webhook``) and accepts any request when no secret is set (it only
warns). Mounted as they come, a report in any ESP's format, from anyone, could
change an email's delivery status. So:

- ``webhook_urlpatterns(suffix)`` returns anymail's patterns whose name ends with
  ``suffix`` for the ESP named by ``EMAIL_BACKEND`` (``anymail.backends.<esp>.…``),
  and nothing with another backend: the other ESPs' URLs do not exist::

      path("anymail/", include((webhook_urlpatterns("_tracking_webhook"), "anymail")))

  An inbound webhook is mounted the same way with ``"_inbound_webhook"``.
- Each view answers 404 while no secret is set (checked at each request), and
  ``manage.py check --deploy`` reports that as an error (``notifications.E001``).
- The ESP in use without its own key (Mailgun's signing key, Mandrill's webhook
  key) answers 503, never 500, so that the ESP keeps its reports and sends them
  again once the key is set; ``check --deploy`` reports it (``notifications.E002``).
- A received reply whose files cannot be stored now (the attachment store is
  down: ``StorageUnavailable``, nothing kept) answers 503 with ``Retry-After`` too,
  so that the ESP posts it again; the same message is then stored once
  (``applications.replies``).
"""

import functools
import logging
import re

from anymail.exceptions import AnymailConfigurationError
from anymail.urls import urlpatterns as anymail_urlpatterns
from django.conf import settings
from django.core import checks
from django.http import Http404, HttpResponse
from django.urls import URLPattern

from applications.exceptions import StorageUnavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 600
_BACKEND = re.compile(r"anymail\.backends\.(\w+)\.EmailBackend")


def esp_in_use() -> str | None:
    """The anymail ESP module that sends our mail (``amazon_ses``, ``mailgun``…), or None."""
    match = _BACKEND.fullmatch(settings.EMAIL_BACKEND or "")
    return match[1] if match else None


def webhook_secret() -> list[str]:
    secret = getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET") or getattr(
        settings, "ANYMAIL_WEBHOOK_SECRET", None
    )
    if isinstance(secret, str):
        return [secret] if secret else []
    return list(secret or [])


def _esp_of(view) -> str:
    return view.view_class.__module__.rsplit(".", 1)[-1]


def _retry_later(text: str) -> HttpResponse:
    response = HttpResponse(text, status=503, content_type="text/plain")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _not_configured(esp: str, exc: Exception) -> HttpResponse:
    logger.error("anymail %s webhook is missing a setting: %s", esp, exc)
    return _retry_later("Webhook not configured")


def guarded(view):
    """anymail's ``view``, answering 404 unless its ESP is in use and a secret is set."""
    esp = _esp_of(view)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if esp_in_use() != esp or not webhook_secret():
            raise Http404("No such webhook")
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError as exc:
            return _not_configured(esp, exc)
        except StorageUnavailable:
            logger.warning("anymail %s webhook: attachment store down, asked to retry", esp)
            return _retry_later("Attachment store unavailable, retry later")

    return wrapped


def webhook_urlpatterns(suffix: str) -> list[URLPattern]:
    """anymail's URL patterns named ``*<suffix>`` for the ESP in use, guarded."""
    esp = esp_in_use()
    return [
        URLPattern(pattern.pattern, guarded(pattern.callback), pattern.default_args, pattern.name)
        for pattern in anymail_urlpatterns
        if pattern.name.endswith(suffix) and _esp_of(pattern.callback) == esp
    ]


def _missing_key(view) -> str | None:
    """Why anymail cannot check this ESP's requests, or None if it can."""
    try:
        instance = view.view_class(**view.view_initkwargs)
    except AnymailConfigurationError as exc:
        return str(exc).splitlines()[0]
    # Mandrill defers its missing key to the first POST.
    if hasattr(instance, "webhook_key") and getattr(instance, "webhook_key", 0) is None:
        return f"{instance.esp_name} webhook key is not set"
    return None


@checks.register(checks.Tags.security, deploy=True)
def check_webhooks(app_configs=None, **kwargs):
    esp = esp_in_use()
    if esp is None:
        return []
    errors = []
    if not webhook_secret():
        errors.append(
            checks.Error(
                f"EMAIL_BACKEND sends through anymail ({esp}) but ANYMAIL_WEBHOOK_SECRET is "
                "not set: its delivery-tracking webhook answers 404 and reports are lost.",
                hint="Set ANYMAIL_WEBHOOK_SECRET to two random strings as user:password "
                "and give the ESP https://user:password@your-host/anymail/<esp>/tracking/.",
                id="notifications.E001",
            )
        )
    for pattern in webhook_urlpatterns("_webhook"):
        reason = _missing_key(pattern.callback)
        if reason:
            errors.append(
                checks.Error(
                    f"anymail's {pattern.name} cannot check requests: {reason}. It answers 503.",
                    hint="Set the ESP's webhook key (e.g. MAILGUN_WEBHOOK_SIGNING_KEY).",
                    id="notifications.E002",
                )
            )
    return errors
