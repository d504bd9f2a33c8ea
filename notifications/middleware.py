"""Answer a malformed ESP tracking or inbound webhook with 400, not 500.

anymail refuses a wrong secret or signature with 400 (SuspiciousOperation), but
a body it cannot parse (not JSON, an unknown SNS type, a JSON list where an
object belongs) escapes its views as ``AnymailAPIError`` or a plain
``ValueError``/``TypeError``: Django answers 500, and the ESP retries the same
junk for days. Such a body is the sender's fault, so it gets 400.

Only errors raised while anymail validated or parsed the request are turned
into 400. An error in our own receiver (the database is down) stays a 5xx (503
from ``config.middleware``), so the ESP sends the report again later and it is
not lost; so do configuration errors (500) and failures to reach AWS while
confirming an SNS subscription.
"""

import logging

from anymail.exceptions import AnymailAPIError
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseBadRequest

logger = logging.getLogger("notifications.tracking")

# anymail's webhook view methods that read the request, before any signal is sent.
PARSING_STEPS = frozenset({"run_validators", "parse_events"})
MALFORMED = (AnymailAPIError, ValueError, TypeError, KeyError, IndexError, AttributeError)


def _raised_while_parsing(exception: BaseException) -> bool:
    frame = exception.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_name in PARSING_STEPS:
            return True
        frame = frame.tb_next
    return False


class WebhookBadRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = request.resolver_match
        if (
            match is None
            or match.app_name != "anymail"
            or not (match.url_name or "").endswith(("_tracking_webhook", "_inbound_webhook"))
            or not isinstance(exception, MALFORMED)
            or isinstance(exception, ImproperlyConfigured)
            or type(exception).__module__.startswith("botocore")
            or not _raised_while_parsing(exception)
        ):
            return None
        logger.warning("refused a malformed %s webhook: %r", match.url_name, exception)
        return HttpResponseBadRequest("Malformed webhook body")
