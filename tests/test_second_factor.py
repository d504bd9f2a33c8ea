"""Second factor for staff (issue 16, item 8): with ``STAFF_REQUIRE_2FA`` the
Secretariat, the Committee and superusers enrol a TOTP app at their first login,
get ten single-use recovery codes, and prove a code in every new session before
any staff page; the login lockout and the rate limits still apply."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.test import Client
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.roles import COMMITTEE, SECRETARIAT

pytestmark = pytest.mark.django_db

PASSWORD = "right-password-1"


@pytest.fixture(autouse=True)
def _required(settings, staff_groups):
    settings.STAFF_REQUIRE_2FA = True


def member_of(group: str | None, username="sofia", **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def logged_in(user, **headers) -> Client:
    client = Client(**headers)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def code_of(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def used_code_of(device: TOTPDevice) -> str:
    """The code of the last step the device accepted, whatever the clock says now."""
    device.refresh_from_db()
    return f"{hotp(device.bin_key, device.last_t, digits=device.digits):06d}"


def where(response) -> str:
    assert response.status_code == 302, response.status_code
    return response["Location"]


def enrol(client) -> list[str]:
    client.get("/accounts/two-factor/setup/?next=/staff/letters/")
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(
        "/accounts/two-factor/setup/", {"code": code_of(device), "next": "/staff/letters/"}
    )
    assert response.status_code == 200
    return re.findall(r"<li><code>([0-9a-f]{10})</code></li>", response.content.decode())


@pytest.mark.parametrize("kind", ["secretariat", "committee", "superuser"])
def test_staff_are_sent_to_enrolment_at_their_first_login(kind):
    user = {
        "secretariat": lambda: member_of(SECRETARIAT),
        "committee": lambda: member_of(COMMITTEE),
        "superuser": lambda: member_of(None, is_superuser=True, is_staff=True),
    }[kind]()
    client = logged_in(user)
    for page in ("/review/", "/staff/letters/", "/admin/", "/accounts/password_change/"):
        response = client.get(page)
        assert where(response).startswith("/accounts/two-factor/setup/?next="), page
    # Logging out and the public site stay open.
    assert client.get("/").status_code == 200
    assert where(client.post("/accounts/logout/")) == "/"


def test_enrolment_shows_a_qr_code_then_ten_recovery_codes_once():
    client = logged_in(member_of(SECRETARIAT))
    page = client.get(where(client.get("/staff/letters/"))).content.decode()
    assert "<svg" in page and "QR code of your authenticator key" in page
    device = TOTPDevice.objects.get(confirmed=False)
    assert "otpauth://totp/Global%20Alliance%20for%20Care%3Asofia" in device.config_url
    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "This code is not right" in wrong.content.decode()
    assert client.get("/staff/letters/").status_code == 302  # still not in
    with time_machine.travel(timedelta(seconds=2)):  # past the wait a wrong code earns
        codes = enrol(client)
    assert len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user__username="sofia").count() == 10
    assert TOTPDevice.objects.get().confirmed
    assert client.get("/staff/letters/").status_code == 200
    assert client.get("/review/").status_code == 302  # viewflow's own redirect to its index


def test_a_later_login_asks_for_the_apps_code():
    user = member_of(SECRETARIAT)
    enrol(logged_in(user))
    client = logged_in(user)
    verify = where(client.get("/staff/letters/"))
    assert verify == "/accounts/two-factor/?next=%2Fstaff%2Fletters%2F"
    # Enrolling again is no way round the code already set up.
    assert where(client.get("/accounts/two-factor/setup/")).startswith("/accounts/two-factor/?")
    page = client.get(verify).content.decode()
    assert "10 recovery codes left." in page
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    # The enrolment's own code, even if a new 30-second step has begun since.
    replayed = client.post(verify, {"code": used_code_of(device)})
    assert "This code is not right" in replayed.content.decode()
    with time_machine.travel(timedelta(seconds=31)):  # the app's next code
        response = client.post(verify, {"code": code_of(device), "next": "/staff/letters/"})
    assert where(response) == "/staff/letters/"
    assert client.get("/staff/letters/").status_code == 200


def test_a_recovery_code_works_once():
    user = member_of(SECRETARIAT)
    codes = enrol(logged_in(user))
    first = logged_in(user)
    assert (
        where(first.post("/accounts/two-factor/", {"code": codes[0].upper()}))
        == "/staff/letters/tasks/"
    )
    assert first.get("/staff/letters/").status_code == 200
    second = logged_in(user)
    refused = second.post("/accounts/two-factor/", {"code": codes[0]})
    assert refused.status_code == 400
    assert second.get("/staff/letters/").status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_wrong_codes_are_throttled_even_before_the_right_one():
    user = member_of(COMMITTEE, username="amadou")
    enrol(logged_in(user))
    client = logged_in(user)
    device = TOTPDevice.objects.get(user=user)
    first = client.post("/accounts/two-factor/", {"code": "123456"})
    assert "This code is not right" in first.content.decode()
    throttled = client.post("/accounts/two-factor/", {"code": code_of(device)})
    assert throttled.status_code == 400
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get("/staff/letters/").status_code == 302


def test_the_code_pages_are_rate_limited_like_the_public_forms(settings):
    settings.RATE_LIMIT_PUBLIC_FORMS = "3/h"
    user = member_of(SECRETARIAT)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = logged_in(user)
    statuses = [client.post("/accounts/two-factor/", {"code": "1"}).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_the_login_lockout_still_applies(settings):
    settings.AXES_FAILURE_LIMIT = 3
    member_of(SECRETARIAT)
    client = Client()
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "sofia", "password": "wrong"})
    assert response.status_code == 429
    good = client.post("/accounts/login/", {"username": "sofia", "password": PASSWORD})
    assert good.status_code == 429


def test_next_never_leaves_the_site():
    user = member_of(SECRETARIAT)
    codes = enrol(logged_in(user))
    client = logged_in(user)
    response = client.post(
        "/accounts/two-factor/", {"code": codes[1], "next": "https://evil.example/"}
    )
    assert urlsplit(where(response)).netloc == ""


def test_without_the_setting_or_outside_the_staff_groups_no_code_is_asked(settings):
    outsider = member_of(None, username="someone")
    response = logged_in(outsider).get("/staff/letters/")
    assert not response.get("Location", "").startswith("/accounts/two-factor/")
    settings.STAFF_REQUIRE_2FA = False
    reviewer = member_of(SECRETARIAT)
    assert logged_in(reviewer).get("/staff/letters/").status_code == 200


def test_the_pages_speak_the_staff_members_language():
    user = member_of(SECRETARIAT)
    client = logged_in(user, HTTP_ACCEPT_LANGUAGE="fr")
    page = client.get("/accounts/two-factor/setup/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Configurez votre second facteur" in page
    page = client.get("/accounts/two-factor/setup/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Configure su segundo factor" in page


def test_an_enrolment_left_half_way_keeps_its_key():
    """Reloading the page keeps the QR code the app may already have scanned."""
    client = logged_in(member_of(SECRETARIAT))
    client.get("/accounts/two-factor/setup/")
    client.get("/accounts/two-factor/setup/")
    assert TOTPDevice.objects.count() == 1
