"""``Cache-Control: no-store`` on every response that may show personal data.

Status pages behind signed links, staff pages, the CSV exports, attachment
downloads and a form sent back with its errors (what the visitor typed) must
not be kept by the browser's cache, a shared proxy or the back-forward cache of
a shared computer. Rather than remembering a decorator on each view, everything
is ``no-store`` except the public pages listed in ``PUBLIC_VIEWS`` when an
anonymous visitor GETs them: a new page is private until it is listed here.

Files on S3 are served by a redirect to a presigned URL; the redirect carries
``no-store`` from here, and the URL asks S3 for ``Cache-Control: no-store`` on
the file itself (``applications.uploads.stored_file_response``).
"""

from django.db import DatabaseError
from django.utils.cache import add_never_cache_headers

# Pages that show the same public content to every anonymous visitor.
PUBLIC_VIEWS = frozenset(
    {
        "home",
        "privacy_notice",
        "directory",
        "member_detail",
        "member_logo",
        "applications:letter_create",
        "applications:status_link_request",
        "member_link_request",
        "applications:call_list",
        "applications:call_detail",
    }
)


def is_public(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    match = request.resolver_match
    if match is None or match.view_name not in PUBLIC_VIEWS:
        return False
    try:
        # Staff see their name and menus on every page.
        return not request.user.is_authenticated
    except (AttributeError, DatabaseError):
        return False


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_public(request):
            add_never_cache_headers(response)
        return response
