import functools

from anymail.exceptions import AnymailConfigurationError
from anymail.urls import urlpatterns as anymail_urlpatterns
from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import URLPattern, include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from viewflow.contrib.auth import AuthViewset

from applications import urls as application_urls
from applications.letters.views import home
from review.site import site

from .abuse import rate_limit


def _unless_esp_unused_and_unconfigured(view):
    """anymail builds some ESPs' webhook views with their keys and fails (500) on
    any request without them: the webhook of an ESP that does not send our mail
    and is not configured answers 404. The ESP in use keeps its 500 on a missing
    key, so that its reports come again once the key is set."""
    esp = view.view_class.__module__.rsplit(".", 1)[-1]

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.EMAIL_BACKEND.startswith(f"anymail.backends.{esp}."):
            try:
                view.view_class(**view.view_initkwargs)
            except AnymailConfigurationError as exc:
                raise Http404 from exc
        return view(request, *args, **kwargs)

    return wrapped


# Only anymail's delivery-tracking webhooks: the application receives no mail.
anymail_tracking = [
    URLPattern(
        pattern.pattern,
        _unless_esp_unused_and_unconfigured(pattern.callback),
        pattern.default_args,
        pattern.name,
    )
    for pattern in anymail_urlpatterns
    if pattern.name.endswith("_tracking_webhook")
]


class StaffAuthViewset(AuthViewset):
    """viewflow's login pages, with the password-reset form (public, and it sends
    email) rate-limited like the other public forms."""

    @property
    def pass_reset_view(self):
        return rate_limit("password_reset")(super().pass_reset_view)


urlpatterns = [
    path("", home, name="home"),
    path("members/", include(application_urls.member_urlpatterns)),
    path("", include("applications.urls")),
    # The language switch changes a preference cookie only; exempt from CSRF so
    # that cached public pages need no per-visitor token.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", StaffAuthViewset(with_profile_view=False).urls),
    path("admin/", admin.site.urls),
    path("staff/letters/", include("review.urls")),
    path("review/", site.urls),
    path("anymail/", include((anymail_tracking, "anymail"))),
]
handler403 = "review.views.staff.permission_denied"
