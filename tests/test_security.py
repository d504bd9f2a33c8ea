"""Abuse protection (issue 7, point 4): security headers and the Content Security
Policy on every kind of page, rate limits on the public forms and the login, the
honeypot field, and CSRF on every URL that takes a POST.

Limits are lowered per test with the ``settings`` fixture; the browser side
(no CSP violation in Chromium, typed data kept after a 429) is in
tests/e2e/test_security_browser.py.
"""

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django import forms
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from applications.links import onboarding_token, status_token
from applications.models import Attachment, Letter
from applications.uploads import attachments_storage
from config.abuse import HoneypotFormMixin, client_ip, parse_rate, take
from notifications.models import OutboxMessage
from tests.factories import form_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
# Frozen in the middle of a 10-minute window, so that no count resets mid-test.
NOON = datetime(2026, 3, 2, 12, 4, 30, tzinfo=UTC)

ONBOARDING = {
    "name": "Red de Cuidados del Norte",
    "description": "Centros comunitarios de cuidado.",
    "brand_manual_acknowledged": "on",
    "contacts": "ana@norte.example.org",
}


def csp_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    policy = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        policy[name] = sources
    return policy


# Security headers and CSP ------------------------------------------------------

PUBLIC_PAGES = ["/", "/apply/", "/members/", "/letters/link/", "/letters/not-a-token/"]
STAFF_PAGES = [
    "/review/letter/",
    "/review/letter/inbox/",
    "/staff/letters/",
    "/staff/letters/dashboard/",
    "/admin/",
    "/admin/applications/letter/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES + STAFF_PAGES + ["/accounts/login/"])
def test_every_page_has_the_security_headers(admin_client, client, path):
    staff = path in STAFF_PAGES
    response = (admin_client if staff else client).get(path)
    assert response.status_code in (200, 404)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in response["Permissions-Policy"]
    policy = csp_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # No inline or evaluated script anywhere, staff pages included.
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_allow_no_inline_style_at_all(client, path):
    policy = csp_of(client.get(path))
    assert "style-src-attr" not in policy
    assert not [source for source in policy["style-src"] if source.startswith("'sha256-")]
    assert "data:" not in policy["img-src"]


def test_only_staff_pages_get_viewflows_relaxations(admin_client):
    policy = csp_of(admin_client.get("/review/letter/inbox/"))
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert "data:" in policy["img-src"]


def test_logos_redirected_to_s3_are_allowed_by_img_src(client, aws):
    """A listed member's <img> follows a redirect to a presigned S3 URL; the
    browser checks that URL's origin against the page's img-src."""
    presigned = urlsplit(attachments_storage().url("logos/x.png"))
    policy = csp_of(client.get("/members/"))
    assert f"{presigned.scheme}://{presigned.netloc}" in policy["img-src"]


OUR_TEMPLATES = [
    path
    for folder in ("templates", "applications", "review")
    for path in (ROOT / folder).rglob("*.html")
]
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
)


def test_our_templates_have_no_inline_script_style_or_handler():
    """The CSP would block them: put them in static files (or give them a nonce)."""
    assert len(OUR_TEMPLATES) > 10
    offenders = {
        str(path.relative_to(ROOT)): INLINE.findall(path.read_text())
        for path in OUR_TEMPLATES
        if INLINE.search(path.read_text())
    }
    assert offenders == {}


# Rate limits on the public forms ---------------------------------------------


@pytest.fixture
def public_forms(make_letter):
    """Each rate-limited public form: its URL and data that it accepts."""
    changes = make_letter("changes_requested")
    submitted = make_letter("submitted")
    approved = make_letter("approved")
    return {
        "letter_create": (reverse("applications:letter_create"), {}),
        "status_link_request": (
            reverse("applications:status_link_request"),
            {"email": "someone@example.org"},
        ),
        "letter_edit": (reverse("applications:letter_edit", args=[status_token(changes)]), {}),
        "letter_withdraw": (
            reverse("applications:letter_withdraw", args=[status_token(submitted)]),
            {},
        ),
        "member_onboarding": (reverse("member_onboarding", args=[onboarding_token(approved)]), {}),
    }


@pytest.mark.parametrize(
    "form",
    ["letter_create", "status_link_request", "letter_edit", "letter_withdraw", "member_onboarding"],
)
def test_each_public_form_refuses_posts_past_the_limit_with_a_429_page(
    client, settings, public_forms, form
):
    settings.RATE_LIMIT_PUBLIC_FORMS = "3/10m"
    url, data = public_forms[form]
    with time_machine.travel(NOON, tick=False):
        for _ in range(3):
            assert client.post(url, data).status_code != 429
        refused = client.post(url, data)
        assert refused.status_code == 429
        # 12:04:30 in a window 12:00-12:10: five and a half minutes to wait.
        assert refused["Retry-After"] == "330"
        html = refused.content.decode()
        assert "Too many attempts" in html
        assert "This form was sent too many times from your connection." in html
        assert "Please wait 6 minutes, then try again." in html
        assert "Back button" in html
        # The page itself is never counted: the visitor can still read the form.
        if form != "letter_withdraw":
            assert client.get(url).status_code == 200
    with time_machine.travel(NOON + timedelta(minutes=6), tick=False):
        assert client.post(url, data).status_code != 429


def test_a_refused_letter_is_not_saved(client, settings):
    settings.RATE_LIMIT_PUBLIC_FORMS = "1/h"
    url = reverse("applications:letter_create")
    with time_machine.travel(NOON, tick=False):
        first = client.post(url, form_data(contact_email="a@first.example.org"))
        assert first.status_code == 302
        second = client.post(url, form_data(contact_email="b@second.example.org"))
    assert second.status_code == 429
    assert list(Letter.objects.values_list("contact_email", flat=True)) == ["a@first.example.org"]


def test_the_limit_is_per_visitor_and_per_form(client, settings):
    settings.RATE_LIMIT_PUBLIC_FORMS = "2/h"
    link = reverse("applications:status_link_request")
    apply = reverse("applications:letter_create")
    with time_machine.travel(NOON, tick=False):
        for _ in range(2):
            client.post(link, {"email": "x@example.org"})
        assert client.post(link, {"email": "x@example.org"}).status_code == 429
        assert client.post(apply, {}).status_code == 400  # another form: its own count
        other = Client(REMOTE_ADDR="203.0.113.9")
        assert other.post(link, {"email": "x@example.org"}).status_code == 302


def test_the_429_page_speaks_the_visitors_language(client, settings):
    settings.RATE_LIMIT_PUBLIC_FORMS = "1/h"
    url = reverse("applications:status_link_request")
    client.post(url, {"email": "x@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")
    refused = client.post(url, {"email": "x@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 429
    assert refused["Content-Language"] == "fr"
    html = refused.content.decode()
    assert '<html lang="fr">' in html
    assert "Suivre ma lettre" in html  # the site's own navigation, in French


def test_counters_are_rows_of_the_shared_database_table(client, settings):
    """Every web process reads the same table, not a per-process memory."""
    assert settings.CACHES["ratelimit"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    table = settings.CACHES["ratelimit"]["LOCATION"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        before = cursor.fetchone()[0]
        client.post(reverse("applications:status_link_request"), {"email": "x@example.org"})
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == before + 1


def test_without_its_table_the_limit_lets_applicants_through_and_logs_it(client, settings, caplog):
    settings.RATE_LIMIT_PUBLIC_FORMS = "1/h"
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": "no_such_table"},
    }
    url = reverse("applications:status_link_request")
    for _ in range(3):
        assert client.post(url, {"email": "x@example.org"}).status_code == 302
    assert "No rate-limit table no_such_table" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_never_pass_more_than_the_limit():
    """Twelve requests at once for a limit of 5: the database cache has no atomic
    increment, so each request must take a slot of its own."""
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    results, start = [], threading.Barrier(12)

    def attempt():
        start.wait()
        try:
            results.append(take("concurrency", request, "5/h"))
        except DatabaseError:
            results.append("error")  # a request that fails is not let through either
        finally:
            connection.close()

    try:
        with time_machine.travel(NOON, tick=False):
            threads = [threading.Thread(target=attempt) for _ in range(12)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        caches["ratelimit"].clear()  # committed rows: a flush does not reach this table
    allowed = results.count(0)
    assert len(results) == 12
    if connection.vendor == "postgresql":
        assert allowed == 5
        assert "error" not in results
    else:  # the in-memory test database locks whole tables: some may fail, none pass extra
        assert 1 <= allowed <= 5


def test_rates_are_read_as_count_per_period():
    assert parse_rate("10/10m") == (10, 600)
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("100/d") == (100, 86400)
    with pytest.raises(Exception, match="count/period"):
        parse_rate("ten per minute")


def test_behind_a_proxy_the_visitor_is_the_address_the_proxy_saw(settings):
    factory = RequestFactory()
    forged = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    settings.CLIENT_IP_PROXY_COUNT = 0
    assert client_ip(forged) == "10.0.0.2"  # no proxy: the header is not trusted
    settings.CLIENT_IP_PROXY_COUNT = 1
    assert client_ip(forged) == "203.0.113.5"  # not the address the visitor wrote in
    settings.CLIENT_IP_PROXY_COUNT = 2
    assert client_ip(forged) == "1.1.1.1"


def test_ipv6_visitors_share_a_count_per_64_block(settings):
    factory = RequestFactory()
    with time_machine.travel(NOON, tick=False):
        assert take("v6", factory.post("/", REMOTE_ADDR="2001:db8:1:2::1"), "2/h") == 0
        assert take("v6", factory.post("/", REMOTE_ADDR="2001:db8:1:2::ffff"), "2/h") == 0
        assert take("v6", factory.post("/", REMOTE_ADDR="2001:db8:1:2:abcd::9"), "2/h") > 0
        assert take("v6", factory.post("/", REMOTE_ADDR="2001:db8:1:3::1"), "2/h") == 0


# Login lockout (django-axes) ---------------------------------------------------


@pytest.fixture
def staff_user(db):
    return User.objects.create_user(username="sofia", password="right-password-1", is_staff=True)


def log_in(client, password, username="sofia", path="/accounts/login/"):
    return client.post(path, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_locks_the_username_and_address_after_repeated_failures(client, settings, staff_user):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    with time_machine.travel(NOON, tick=False):
        for _ in range(2):
            failed = log_in(client, "wrong")
            assert failed.status_code == 200  # the form again, with its error
        locked = log_in(client, "wrong")
        assert locked.status_code == 429
        assert locked["Retry-After"] == "900"
        html = locked.content.decode()
        assert "Too many failed log-in attempts for this user name" in html
        assert "Please wait 15 minutes, then try again." in html
        # Even the right password is refused now, on the staff site and the admin.
        assert log_in(client, "right-password-1").status_code == 429
        assert log_in(client, "right-password-1", path="/admin/login/").status_code == 429
        assert not logged_in(client)
        # The same person from another address, or another user here, can log in.
        elsewhere = Client(REMOTE_ADDR="203.0.113.20")
        assert log_in(elsewhere, "right-password-1").status_code == 302
        User.objects.create_user(username="lucia", password="other-password-1", is_staff=True)
        colleague = Client()
        assert log_in(colleague, "other-password-1", username="lucia").status_code == 302
    with time_machine.travel(NOON + timedelta(minutes=16), tick=False):
        assert log_in(client, "right-password-1").status_code == 302
        assert logged_in(client)


def test_a_successful_login_forgets_earlier_failures(client, settings, staff_user):
    settings.AXES_FAILURE_LIMIT = 3
    with time_machine.travel(NOON, tick=False):
        log_in(client, "wrong")
        log_in(client, "wrong")
        assert log_in(client, "right-password-1").status_code == 302
        client.logout()
        log_in(client, "wrong")
        log_in(client, "wrong")
        assert log_in(client, "right-password-1").status_code == 302


def test_login_lockout_counts_ipv6_addresses_per_64_block(settings, staff_user):
    """8 wrong passwords from 8 addresses of one /64 lock the account there, as the
    form rate limits do; another /64 is not affected."""
    settings.AXES_FAILURE_LIMIT = 5
    with time_machine.travel(NOON, tick=False):
        statuses = [
            log_in(Client(REMOTE_ADDR=f"2001:db8:1:2::{n:x}"), "wrong").status_code
            for n in range(1, 9)
        ]
        assert statuses == [200] * 4 + [429] * 4
        same_block = Client(REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:ffff")
        assert log_in(same_block, "right-password-1").status_code == 429
        other_block = Client(REMOTE_ADDR="2001:db8:1:3::1")
        assert log_in(other_block, "right-password-1").status_code == 302


# Honeypot ------------------------------------------------------------------------


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client):
    html = client.get(reverse("applications:letter_create")).content.decode()
    wrapper = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', html, re.S)
    assert wrapper, "the honeypot's wrapper must be aria-hidden"
    field = wrapper.group(1)
    assert "Leave this field empty" in field
    input_tag = re.search(r"<input[^>]*>", field).group(0)
    for attribute in ('name="homepage"', 'tabindex="-1"', 'autocomplete="off"'):
        assert attribute in input_tag
    css = (ROOT / "static" / "site.css").read_text()
    assert re.search(r"\.hp\s*\{[^}]*left:\s*-10000px", css)


@pytest.mark.parametrize(
    "path",
    [
        "applications:letter_create",
        "applications:status_link_request",
    ],
)
def test_public_form_pages_render_the_honeypot(client, path):
    assert 'name="homepage"' in client.get(reverse(path)).content.decode()


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "This form could not be accepted"),
        ("es", "No se pudo aceptar este formulario"),
        ("fr", "Ce formulaire n'a pas pu être accepté"),
    ],
)
def test_a_filled_honeypot_refuses_the_letter_without_saying_which_field(
    client, aws, settings, language, sentence
):
    settings.SECRETARIAT_EMAIL = "secretariado@cuidados.example.org"
    url = reverse("applications:letter_create")
    refused = client.post(
        url,
        form_data(homepage="https://cheap-pills.example.com", organisation_name="Red Honesta"),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors.keys() == {"__all__"}
    # Nothing to correct: it says the form was not accepted, keeps the answers and says
    # whom to write to (issue 13).
    html = refused.content.decode().replace("&#x27;", "'")
    assert sentence in html
    assert "secretariado@cuidados.example.org" in html
    assert "Check it" not in html and "Revíselo" not in html
    assert 'value="Red Honesta"' in html
    assert "homepage" not in str(refused.context["form"].errors)
    assert Letter.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert aws.object_keys() == []
    # The same letter with the field left empty, as a person leaves it, is accepted.
    assert client.post(url, form_data(homepage="")).status_code == 302
    assert Letter.objects.count() == 1


def test_a_filled_honeypot_sends_no_status_link(client, make_letter):
    make_letter("submitted", contact_email="known@org.example.org")
    before = OutboxMessage.objects.count()
    refused = client.post(
        reverse("applications:status_link_request"),
        {"email": "known@org.example.org", "homepage": "x"},
    )
    assert "This form could not be accepted" in refused.content.decode()
    assert OutboxMessage.objects.count() == before


def test_a_filled_honeypot_neither_withdraws_edits_nor_onboards(client, make_letter):
    submitted = make_letter("submitted")
    client.post(
        reverse("applications:letter_withdraw", args=[status_token(submitted)]),
        {"confirm": "on", "homepage": "x"},
    )
    assert Letter.objects.get(pk=submitted.pk).status == "submitted"

    changes = make_letter("changes_requested")
    edit = reverse("applications:letter_edit", args=[status_token(changes)])
    refused = client.post(edit, form_data(motivation="Spam spam spam.", homepage="x"))
    assert refused.status_code == 400
    assert Letter.objects.get(pk=changes.pk).status == "changes_requested"

    approved = make_letter("approved")
    onboarding = reverse("member_onboarding", args=[onboarding_token(approved)])
    refused = client.post(onboarding, {**ONBOARDING, "homepage": "x"})
    assert refused.status_code == 400
    assert Letter.objects.get(pk=approved.pk).status == "approved"
    assert client.post(onboarding, ONBOARDING).status_code == 302
    assert Letter.objects.get(pk=approved.pk).status == "onboarded"


def test_the_mixin_protects_any_new_form():
    """As the nomination and consent forms will use it."""

    class ConsentForm(HoneypotFormMixin, forms.Form):
        agree = forms.BooleanField()

    assert not ConsentForm({"agree": "on", "homepage": "spam"}).is_valid()
    form = ConsentForm({"agree": "on", "homepage": ""})
    assert form.is_valid()
    assert form.cleaned_data == {"agree": True}


# CSRF on every URL that takes a POST ---------------------------------------------

# Exempt on purpose. anymail's webhooks are called by the ESP, which has no CSRF
# token; they check ANYMAIL_WEBHOOK_SECRET instead (see the test below).
# set_language only sets the language cookie and redirects to a same-site
# address; it is exempt because the language switch is on pages served to every
# anonymous visitor from one cache (the directory), which cannot carry a
# per-visitor token. A forged request can change the display language, nothing else.
CSRF_EXEMPT = {"django.views.i18n.set_language"}
CSRF_EXEMPT_MODULES = ("anymail.webhooks.",)
SAMPLES = {"int": "1", "str": "x", "path": "x", "slug": "x"}
SAMPLES["uuid"] = "00000000-0000-0000-0000-000000000001"


def every_url_pattern(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from every_url_pattern(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def sample_path(route: str) -> str:
    """A concrete path for a pattern: 'letters/<str:token>/' -> '/letters/x/'."""
    if "(?P<" in route or "^" in route:  # a regular expression
        path = re.sub(r"\(\?P<\w+>(\w+)(\|[^)]*)?\)", r"\1", route)  # its first choice
        path = re.sub(r"\(\?P<\w+>\.\*\)", "x", path)
        path = re.sub(r"\([^)]*\)\?", "", path)  # optional groups left out
        path = path.replace("^", "").replace("$", "")
    else:
        path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)
    return "/" + path


def test_every_post_without_a_csrf_token_is_refused(admin_user, request):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)  # past the staff login redirect, to the CSRF check
    checked, exempt = [], []
    for route, view in every_url_pattern():
        path = sample_path(route)
        assert resolve(path).func == view, f"{route} sampled as {path} reaches another view"
        name = f"{view.__module__}.{view.__name__}"
        if name in CSRF_EXEMPT or view.__module__.startswith(CSRF_EXEMPT_MODULES):
            assert getattr(view, "csrf_exempt", False)
            exempt.append(path)
            continue
        assert not getattr(view, "csrf_exempt", False), f"{path} is exempt from CSRF"
        response = browser.post(path, {"anything": "1"})
        assert response.status_code == 403, f"POST {path} without a token: {response.status_code}"
        assert b"CSRF verification failed" in response.content, path
        checked.append(path)
    assert "/apply/" in checked and "/accounts/login/" in checked and "/admin/x" in checked
    assert len(checked) > 150
    assert "/i18n/setlang/" in exempt
    print(f"\ncsrf: posts_refused_without_token={len(checked)} exempt={len(exempt)}")


def test_the_same_post_with_its_token_gets_through(client):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("applications:status_link_request"))
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        reverse("applications:status_link_request"),
        {"email": "x@example.org", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_anymail_webhooks_refuse_a_post_without_their_secret(client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "user:long-random-secret"}
    for path in ("/anymail/amazon_ses/tracking/", "/anymail/postmark/tracking/"):
        response = client.post(path, "{}", content_type="application/json")
        assert 400 <= response.status_code < 500, path


def test_set_language_only_redirects_to_this_site(client):
    response = client.post(
        "/i18n/setlang/", {"language": "fr", "next": "https://evil.example.com/"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example.com")


def test_the_password_reset_form_is_rate_limited(client, settings):
    settings.RATE_LIMIT_PUBLIC_FORMS = "2/h"
    url = reverse("password_reset")
    assert client.get(url).status_code == 200
    for _ in range(2):
        assert client.post(url, {"email": "someone@example.org"}).status_code != 429
    assert client.post(url, {"email": "someone@example.org"}).status_code == 429


# Cache-Control and HEAD ------------------------------------------------------------


def test_head_is_answered_where_get_is(client):
    for path in ("/apply/", "/letters/link/", "/", "/members/", "/calls/"):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""


def test_pages_with_personal_data_are_never_stored_by_a_cache(client, make_letter, admin_client):
    letter = make_letter("submitted")
    status_page = client.get(reverse("applications:letter_status", args=[status_token(letter)]))
    assert status_page.status_code == 200
    assert "no-store" in status_page["Cache-Control"]
    export = admin_client.get(reverse("review:export_letters"))
    assert export.status_code == 200 and "no-store" in export["Cache-Control"]
    refused = client.post(reverse("applications:letter_create"), {"organisation_name": "Ana"})
    assert refused.status_code == 400  # the form again, with what was typed
    assert "no-store" in refused["Cache-Control"]


def test_public_pages_stay_cacheable_for_anonymous_visitors(client, admin_client):
    assert "no-store" not in client.get("/members/").get("Cache-Control", "")
    assert "no-store" in admin_client.get("/members/")["Cache-Control"]
