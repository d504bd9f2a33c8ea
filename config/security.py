"""Security headers that Django 5.2 does not set itself.

Content-Security-Policy comes from django-csp (settings ``CONTENT_SECURITY_POLICY``);
this subclass adds what only a running app knows: the origin that logos are
redirected to when attachments live on S3, and the staff pages' relaxations.
"""

import logging
from functools import cached_property
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings

from applications.uploads import attachments_storage

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        update = {key: list(value) for key, value in (parts.update or {}).items()}
        if self.attachments_origin:
            # <img src="/members/1/logo.png"> redirects to a presigned URL there,
            # and the browser checks the redirect's target against img-src.
            update.setdefault("img-src", []).append(self.attachments_origin)
        if request.path_info.startswith(tuple(settings.CSP_STAFF_PATH_PREFIXES)):
            for directive, sources in settings.CSP_STAFF_DIRECTIVES.items():
                update.setdefault(directive, []).extend(sources)
        parts.update = update or None
        return parts

    @cached_property
    def attachments_origin(self) -> str:
        """scheme://host of the attachments storage's URLs, or "" on local files."""
        storage = attachments_storage()
        if not hasattr(storage, "bucket_name"):
            return ""
        try:
            # Presigning is computed locally (no request to S3).
            url = urlsplit(storage.url("csp-origin-probe"))
        except Exception:
            logger.exception("Could not compute the attachments origin for img-src")
            return ""
        return f"{url.scheme}://{url.netloc}"


class PermissionsPolicyMiddleware:
    """Sets ``Permissions-Policy`` from the ``PERMISSIONS_POLICY`` setting."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
