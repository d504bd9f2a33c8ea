from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from viewflow.contrib.auth import AuthViewset

from applications import urls as application_urls
from applications.letters.views import home
from applications.texts.views import privacy_notice
from config.passwords import (
    OutboxPasswordResetForm,
    StaffPasswordChangeForm,
    StaffSetPasswordForm,
)
from notifications.webhooks import webhook_urlpatterns
from review.site import site
from review.views.staff import staff_login_view_class

from . import second_factor
from .abuse import rate_limit


class StaffAuthViewset(AuthViewset):
    """viewflow's login pages, with the password-reset form (public, and it sends
    email) rate-limited like the other public forms, answered in constant time and
    sent through the outbox (config/passwords.py). Logging in puts back the staff
    member's own language (review/views/staff.py)."""

    login_view_class = staff_login_view_class(AuthViewset.login_view_class)

    def get_login_view_kwargs(self, **kwargs):
        # Django's own form: viewflow's adds Material attributes (leading-icon) that
        # are not HTML, and our login page does not draw them.
        return super().get_login_view_kwargs(form_class=AuthenticationForm, **kwargs)

    def get_pass_change_view_kwargs(self, **kwargs):
        return super().get_pass_change_view_kwargs(form_class=StaffPasswordChangeForm, **kwargs)

    def get_pass_reset_confirm_view_kwargs(self, **kwargs):
        return super().get_pass_reset_confirm_view_kwargs(form_class=StaffSetPasswordForm, **kwargs)

    def get_pass_reset_view_kwargs(self, **kwargs):
        return super().get_pass_reset_view_kwargs(form_class=OutboxPasswordResetForm, **kwargs)

    @property
    def pass_reset_view(self):
        return rate_limit("password_reset")(super().pass_reset_view)


urlpatterns = [
    path("", home, name="home"),
    path("privacy/", privacy_notice, name="privacy_notice"),
    path("members/", include(application_urls.member_urlpatterns)),
    path("", include("applications.urls")),
    # The language switch changes a preference cookie only; exempt from CSRF so
    # that cached public pages need no per-visitor token.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/two-factor/", include(second_factor.urlpatterns)),
    path("accounts/", StaffAuthViewset(with_profile_view=False).urls),
    path("admin/", admin.site.urls),
    path("staff/letters/", include("review.urls")),
    path("review/", site.urls),
    # Only the ESP in use, and 404 until ANYMAIL_WEBHOOK_SECRET is set (notifications/webhooks.py):
    # its delivery reports, and the replies to our emails (applications/replies.py).
    path(
        "anymail/",
        include(
            (
                webhook_urlpatterns("_tracking_webhook") + webhook_urlpatterns("_inbound_webhook"),
                "anymail",
            )
        ),
    ),
]
handler403 = "review.views.staff.permission_denied"
