"""A second factor for the staff who decide memberships (django-otp).

With ``STAFF_REQUIRE_2FA`` (the production default), a Secretariat or Committee
member, a Secretariat lead or a superuser who has logged in with a password
reaches no staff page (``/review/``, ``/staff/``, ``/admin/``, the password
change) before proving a second factor in this session:

- with no authenticator yet (first login), they are sent to the enrolment page:
  a QR code (and the key, to type in) for any TOTP app, confirmed by a first
  code; they are then shown ten recovery codes, once (django-otp's static
  device: each code works once, for a lost phone);
- with one, to the verification page, which takes the app's current code or a
  recovery code.

What still applies: the password step is unchanged (django-axes' lockout by
username and address), both pages' POSTs are rate-limited per visitor like the
public forms, and django-otp throttles wrong codes per device (each failure
doubles the wait). Logging out, the login and the password reset stay open.
"""

import secrets
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.roles import COMMITTEE, SECRETARIAT, SECRETARIAT_LEAD

from .abuse import rate_limit

# Paths behind the second factor; under them, what stays open without it.
PROTECTED_PREFIXES = ("/review/", "/staff/", "/admin/", "/accounts/")
OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password_reset/",
    "/accounts/reset/",
    "/accounts/two-factor/",
)
RECOVERY_CODES = 10


def requires_second_factor(user) -> bool:
    """Whether this user must prove a second factor (see the module)."""
    if not settings.STAFF_REQUIRE_2FA or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=(SECRETARIAT, COMMITTEE, SECRETARIAT_LEAD)).exists()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class SecondFactorMiddleware:
    """Sends staff who have not proved their second factor in this session to
    the verification page, or to enrolment if they have no authenticator yet.
    After django-otp's ``OTPMiddleware``, which tells whether they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path_ = request.path
        if (
            path_.startswith(PROTECTED_PREFIXES)
            and not path_.startswith(OPEN_PREFIXES)
            and requires_second_factor(request.user)
            and not request.user.is_verified()
        ):
            name = "two_factor_verify" if has_authenticator(request.user) else "two_factor_setup"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def _throttled(device) -> bool:
    allowed, _detail = device.verify_is_allowed()
    return not allowed


WAIT_MESSAGE = _("Too many wrong codes. Wait a minute, then try again.")
WRONG_MESSAGE = _("This code is not right. Check the time on your phone and try again.")


def _login_required(view):
    return login_required(view, login_url=settings.LOGIN_URL)


@_login_required
@rate_limit("two_factor_setup")
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_setup(request):
    """Enrolment: a new authenticator, confirmed by its first code; then the
    recovery codes, shown once. A verified user may enrol a new phone here; an
    unverified one only while they have no authenticator (otherwise this page
    would bypass the code they already have)."""
    if not request.user.is_verified() and has_authenticator(request.user):
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _next_url(request)})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=_("Authenticator app"), confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(device):
            form.add_error("code", WAIT_MESSAGE)
        elif device.verify_token(form.cleaned_data["code"]):
            codes = _enrol(request, device)
            return render(
                request,
                "second_factor/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        else:
            form.add_error("code", WRONG_MESSAGE)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "second_factor/setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=4, title=str(_("QR code of your authenticator key"))),
            "secret": _spaced(device),
            "next": _next_url(request),
        },
        status=400 if request.method == "POST" else 200,
    )


def _spaced(device) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def _enrol(request, device) -> list[str]:
    """The confirmed authenticator replaces any earlier one; new recovery codes
    replace the old ones. The session counts as verified."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=request.user).delete()
    recovery = StaticDevice.objects.create(user=request.user, name=_("Recovery codes"))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    otp_login(request, device)
    return codes


@_login_required
@rate_limit("two_factor_verify")
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_verify(request):
    """The app's current code, or one recovery code, once per session."""
    if not has_authenticator(request.user):
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        matched = _match(request.user, form.cleaned_data["code"])
        if matched == "throttled":
            form.add_error("code", WAIT_MESSAGE)
        elif matched is None:
            form.add_error("code", WRONG_MESSAGE)
        else:
            otp_login(request, matched)
            return redirect(_next_url(request))
    remaining = StaticToken.objects.filter(device__user=request.user).count()
    return render(
        request,
        "second_factor/verify.html",
        {"form": form, "next": _next_url(request), "recovery_left": remaining},
        status=400 if request.method == "POST" else 200,
    )


def _match(user, code: str):
    """The device that accepts ``code``, None, or "throttled" while wrong codes
    make every device wait. The devices are locked while checked, so that two
    requests at once cannot both use one recovery code or one TOTP step."""
    with transaction.atomic():
        devices = list(devices_for_user(user, for_verify=True))
        if any(_throttled(device) for device in devices):
            return "throttled"
        for device in devices:
            if device.verify_token(code):
                return device
    return None


def verified_session(client, user) -> None:
    """For tests and benches: mark a test client's session as having passed the
    second factor with ``user``'s authenticator (made if missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


urlpatterns = [
    path("", two_factor_verify, name="two_factor_verify"),
    path("setup/", two_factor_setup, name="two_factor_setup"),
]
