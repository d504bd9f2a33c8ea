"""Access matrix (issue 7, point 3): every URL pattern of the project × every role,
with the expected outcome written down below, and the signed links' guarantees.

Roles, and the signed links each holds (tests/access_world.py builds them once
for the module, through the real services and flows):

    anonymous       no link, no account
    applicant_a     the status link of letter A (changes requested; one file)
    applicant_b     the status link of letter B (submitted); tries A's objects
    member_contact  the contact of member N: N's nomination link for the open
                    call, the status link of N's nomination (submitted), and the
                    onboarding link of letter M (approved, not yet onboarded)
    nominee         the consent link of a nomination awaiting consent
    staff_no_2fa    a Secretariat reviewer logged in with a password who has not
                    proved a second factor (STAFF_REQUIRE_2FA is on here)
    secretariat     a Secretariat reviewer (screens; holds letter B's screening task)
    committee       a Committee approver (decides)
    admin           a superuser (the three staff roles have passed their second factor)

Where a URL wants a signed link, a role presents its own link of that kind; a
role without one presents the link it does hold (a link used for another
purpose), and a role with no link at all a well-formed token signed with
another key (what anyone can make). Other ids in URLs point at letter A's,
the submitted nomination's or the open call's objects.

Outcomes:
    200 403 404 405 410   that status code
    login                 302 to the staff login page, coming back to the URL
    admin-login           302 to the admin's login page
    file                  302 to a presigned URL of the private attachments bucket
    →name                 302 to our URL whose view name is (or ends with) name
    2fa                   302 to the second factor's page (enrolment or code), coming back

Every URL is requested with GET, except the POST-only ones in POSTS, which are
sent their form (a POST that changes something is rolled back with the test).
"""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from applications import links
from applications.models import OnboardingDocument
from config.second_factor import verified_session
from review.flows import LetterFlow, NominationFlow

from .access_world import build_world, forged_token
from .conftest import BUCKET, REGION, SENDER, Aws
from .html_check import Pages, ours_and_theirs, vnu_errors

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "applicant_a",
    "applicant_b",
    "member_contact",
    "nominee",
    "staff_no_2fa",
    "secretariat",
    "committee",
    "admin",
)


STAFF_ROLES = ("secretariat", "committee", "admin")
# Pages that show every anonymous visitor the same public content: the only
# ones a cache may keep (config/privacy.py). Every other 200 or file is no-store.
PUBLIC_ROUTES = {
    "",
    "privacy/",
    "members/",
    "members/<int:pk>/",
    "members/<int:pk>/logo.png",
    "apply/",
    "letters/link/",
    "members/link/",
    "calls/",
    "calls/<uuid:public_id>/",
}

# HEAD answers as GET everywhere, but here: Django's admin sends a logged-in
# superuser's GET of its login page to the index, and renders it (200) to HEAD.
HEAD_DIFFERS = {"admin/login/"}


def everyone(outcome: str) -> str:
    return " ".join([outcome] * (len(ROLES) - 1))


STAFF = "login login login login login"  # the first five roles are never staff
NOT_SUPERUSER = " ".join(["admin-login"] * 7)  # Django's admin is for superusers only

# Rows below name the outcome of every role but staff_no_2fa: that one follows a
# rule (``unverified_outcome``), unless a row names all nine.
# The staff area: every page of it sends staff without their second factor to it.
STAFF_AREA = ("review/", "staff/", "admin/", "accounts/password_change/")


def unverified_outcome(route: str, row: list[str]) -> str:
    """Staff without their second factor: the second factor's page anywhere in the
    staff area; elsewhere what an anonymous visitor gets (they hold no link)."""
    return "2fa" if route.startswith(STAFF_AREA) else row[0]


# fmt: off
EXPECTED = {
    # route                                    anon  A     B     member nominee secr  comm  admin
    # Public pages: the same for everyone.
    "":                                         everyone("200"),
    "privacy/":                                 everyone("200"),
    "members/":                                 everyone("200"),
    "members/<int:pk>/":                        everyone("200"),
    "members/<int:pk>/logo.png":                everyone("file"),
    "apply/":                                   everyone("200"),
    "letters/link/":                            everyone("200"),
    "members/link/":                            everyone("200"),
    "calls/":                                   everyone("200"),
    "calls/<uuid:public_id>/":                  everyone("200"),
    # POST: the same answer to everyone, whether or not the address is a member's.
    "calls/<uuid:public_id>/link/":             everyone("→call_detail"),
    "i18n/setlang/":                            everyone("→home"),
    # Behind signed links: only the holder of the right link to the right object.
    "members/onboarding/<str:token>/":          "404   404   404   200   404   404   404   404",
    "members/onboarding/<str:token>/documents/<int:pk>/":
        "404   404   404   file  404   404   404   404",
    # A saved letter: only through its own link (A's); any other link or a forged one: 404.
    "apply/draft/<str:token>/":                 "404   200   404   404   404   404   404   404",
    "letters/<str:token>/received/":            "404   200   200   404   404   404   404   404",
    "letters/<str:token>/":                     "404   200   200   404   404   404   404   404",
    # B's letter is not waiting for changes: its edit page sends B to its status.
    "letters/<str:token>/edit/":                "404   200   →letter_status  404 404 404 404 404",
    # POST: each applicant withdraws its own letter (rolled back after the test).
    "letters/<str:token>/withdraw/":
        "404   →letter_status  →letter_status  404   404   404   404   404",
    # A's file with B's link: refused.
    "letters/<str:token>/files/<int:pk>/":      "404   file  404   404   404   404   404   404",
    "nominate/<str:token>/":                    "404   404   404   200   404   404   404   404",
    # A saved nomination: only through its own link (N's); any other link or a forged one: 404.
    "nominate/draft/<str:token>/":              "404   404   404   200   404   404   404   404",
    "nominations/<str:token>/":                 "404   404   404   200   404   404   404   404",
    # POST: only the nominating member withdraws its nomination.
    "nominations/<str:token>/withdraw/":
        "404   404   404   →nomination_status    404   404   404   404",
    "consent/<str:token>/":                     "404   404   404   404   200   404   404   404",
    # A member's self-service: only the contact's own link (POSTs rolled back).
    "members/self/<str:token>/":                "404   404   404   200   404   404   404   404",
    "members/self/<str:token>/contacts/<int:pk>/": "404 404  404   200   404   404   404   404",
    "members/self/<str:token>/contacts/new/":
        "404   404   404   →member_self_service  404   404   404   404",
    # The focal point cannot be removed: back to the page with the reason.
    "members/self/<str:token>/contacts/<int:pk>/remove/":
        "404   404   404   →member_self_service  404   404   404   404",
    "members/self/<str:token>/end/":
        "404   404   404   →member_self_service  404   404   404   404",
    "members/self/<str:token>/reconfirm/":
        "404   404   404   →member_self_service  404   404   404   404",
    "members/email/<str:token>/":               "404   404   404   200   404   404   404   404",
    # Staff log-in (viewflow's auth views); POST to log out, back home.
    "accounts/login/":                          everyone("200"),
    "accounts/logout/":                         everyone("→home"),
    "accounts/password_change/":                f"{STAFF} 200   200   200",
    "accounts/password_change/done/":           f"{STAFF} 200   200   200",
    "accounts/password_reset/":                 everyone("200"),
    "accounts/password_reset/done/":            everyone("200"),
    "accounts/reset/<uidb64>/<token>/":         everyone("200"),
    "accounts/reset/done/":                     everyone("200"),
    # The second factor's pages (config/second_factor.py); all nine roles written out.
    # Without an authenticator, the code page sends to enrolment; with the factor
    # proved, back to the staff site.
    "accounts/two-factor/":
        "login login login login login →two_factor_setup "
        "→review:task_inbox →review:task_inbox →review:task_inbox",
    "accounts/two-factor/setup/":               "login login login login login 200 200 200 200",
    # Staff pages: both staff groups read them; only the Secretariat manages calls.
    "staff/letters/":                           f"{STAFF} 200   200   200",
    "staff/letters/<int:pk>/":                  f"{STAFF} 200   200   200",
    "staff/letters/files/<int:pk>/":            f"{STAFF} file  file  file",
    "staff/letters/replies/files/<int:pk>/":    f"{STAFF} file  file  file",
    "staff/letters/replies/unmatched/":         f"{STAFF} 200   200   200",
    "staff/letters/<int:pk>/personal-data.json": f"{STAFF} 200  200   200",
    "staff/letters/preferences/":               f"{STAFF} 200   200   200",
    # POST: the staff header's language switch goes back to the page it came from.
    "staff/letters/language/":                  f"{STAFF} →task_inbox →task_inbox →task_inbox",
    "staff/letters/dashboard/":                 f"{STAFF} 200   200   200",
    "staff/letters/search/":                    f"{STAFF} 200   200   200",
    "staff/letters/export/letters.csv":         f"{STAFF} 200   200   200",
    "staff/letters/export/members.csv":         f"{STAFF} 200   200   200",
    "staff/letters/export/members.xlsx":        f"{STAFF} 200   200   200",
    "staff/letters/export/letters.xlsx":        f"{STAFF} 200   200   200",
    "staff/letters/export/contacts.csv":        f"{STAFF} 200   200   200",
    "staff/letters/export/mailing-list/":       f"{STAFF} 200   200   200",
    "staff/letters/tasks/":                     f"{STAFF} 200   200   200",
    # Letter B's screening task, taken by the secretariat reviewer: the others read it.
    "staff/letters/tasks/<int:task_pk>/":       f"{STAFF} 200   200   200",
    "staff/letters/nominations/":               f"{STAFF} 200   200   200",
    "staff/letters/nominations/<int:pk>/":      f"{STAFF} 200   200   200",
    "staff/letters/nominations/files/<int:pk>/": f"{STAFF} file file  file",
    "staff/letters/calls/":                     f"{STAFF} 200   200   200",
    "staff/letters/members/":                   f"{STAFF} 200   200   200",
    "staff/letters/members/<int:pk>/":          f"{STAFF} 200   200   200",
    # POST: the service refuses the Committee (a message on the member's page).
    "staff/letters/members/<int:pk>/<slug:step>/":
        f"{STAFF} →member_detail →member_detail →member_detail",
    "staff/letters/calls/new/":                 f"{STAFF} 200   403   200",
    "staff/letters/calls/<int:pk>/edit/":       f"{STAFF} 200   403   200",
    "review/":
        f"{STAFF} →letter:index →letter:index →letter:index",
    # The Secretariat's own area: only with applications.edit_texts (the Secretariat
    # lead group; the superuser here). Reviewers and approvers get 403.
    "staff/letters/texts/":                     f"{STAFF} 403   403   200",
    "staff/letters/texts/emails/<slug:event>/<slug:audience>/": f"{STAFF} 403 403 200",
    "staff/letters/texts/pages/<slug:name>/":   f"{STAFF} 403   403   200",
    "staff/letters/texts/versions/<int:pk>/restore/": f"{STAFF} 403 403 →text_email",
    "staff/letters/settings/":                  f"{STAFF} 403   403   200",
    "staff/letters/settings/<slug:key>/":       f"{STAFF} 403   403   200",
    "staff/letters/settings/versions/<int:pk>/restore/": f"{STAFF} 403 403 →setting_edit",
    "staff/letters/questions/":                 f"{STAFF} 403   403   200",
    "staff/letters/questions/new/":             f"{STAFF} 403   403   200",
    "staff/letters/questions/<int:pk>/":        f"{STAFF} 403   403   200",
    "staff/letters/questions/<int:pk>/retire/": f"{STAFF} 403   403   →question_list",
    # Django's admin (staff users are not is_staff). Model pages: ADMIN_MODELS.
    "admin/":                                   f"{NOT_SUPERUSER} 200",
    "admin/login/":                             "200   200   200   200   200   200   200   →index",
    "admin/logout/":                            f"{' '.join(['→admin:index'] * 7)} 405",
    "admin/password_change/":                   f"{NOT_SUPERUSER} 200",
    "admin/password_change/done/":              f"{NOT_SUPERUSER} 200",
    "admin/autocomplete/":                      f"{NOT_SUPERUSER} 403",  # no model asked
    "admin/jsi18n/":                            f"{NOT_SUPERUSER} 200",
    # The admin's "view on site": to the object's own page (a call's is public).
    "admin/r/<path:content_type_id>/<path:object_id>/": f"{NOT_SUPERUSER} →call_detail",
    "admin/^(?P<app_label>auth|viewflow|django_tasks_database|axes|applications|review|otp_totp|otp_static|notifications)/$":  # noqa: E501
                                                f"{NOT_SUPERUSER} 200",
    "admin/(?P<url>.*)$":                       f"{NOT_SUPERUSER} 404",
}
# fmt: on

# POST-only URLs and the form each role sends.
POSTS = {
    "calls/<uuid:public_id>/link/": {"email": "contact@n.example.org"},
    "i18n/setlang/": {"language": "fr", "next": "/"},
    "letters/<str:token>/withdraw/": {"confirm": "on"},
    "nominations/<str:token>/withdraw/": {"confirm": "on"},
    "accounts/logout/": {},
    "staff/letters/language/": {"language": "es"},
    "staff/letters/texts/versions/<int:pk>/restore/": {},
    "staff/letters/settings/versions/<int:pk>/restore/": {},
    "staff/letters/questions/<int:pk>/retire/": {},
    "members/self/<str:token>/contacts/new/": {
        "name": "Nueva",
        "role": "communications",
        "email": "nueva@n.example.org",
        "language": "es",
    },
    "members/self/<str:token>/contacts/<int:pk>/remove/": {},
    "members/self/<str:token>/end/": {"reason": "Cierre", "confirm": "on"},
    "members/self/<str:token>/reconfirm/": {},
    "staff/letters/members/<int:pk>/<slug:step>/": {"reason": "Revisión"},
}

# Examples for the regular-expression patterns.
REGEX_EXAMPLES = {
    "admin/^(?P<app_label>auth|viewflow|django_tasks_database|axes|applications|review|otp_totp|otp_static|notifications)/$": "admin/applications/",  # noqa: E501
    "admin/(?P<url>.*)$": "admin/no-such-page/",
}

# Rules for the URLs that come in families, checked URL by URL like the rows above.

# Django's admin, per model: the superuser opens every page of an object that
# exists (tests/access_world.py makes one of each); "add" is refused (403) where
# rows only come from the application itself; "delete" where they are read-only.
ADMIN_MODELS = {
    # model                                  add    delete
    "auth.group":                           ("200", "200"),
    "auth.user":                            ("200", "200"),
    "viewflow.process":                     ("403", "200"),
    "viewflow.task":                        ("403", "200"),
    "django_tasks_database.dbtaskresult":   ("403", "403"),
    "axes.accessattempt":                   ("403", "200"),
    "axes.accesslog":                       ("403", "200"),
    "axes.accessfailurelog":                ("403", "200"),
    "applications.letter":                  ("403", "200"),  # no add: letters come from the form
    "applications.organisation":            ("200", "200"),
    "applications.call":                    ("403", "200"),
    "applications.nomination":              ("403", "200"),
    "review.grouplead":                     ("200", "200"),
    "applications.onboardingdocument":      ("200", "200"),  # the brand manual... (issue 13)
    "notifications.outboxmessage":          ("403", "200"),
    # Seen and deleted, never made nor read (review/admin.py).
    "otp_totp.totpdevice":                  ("403", "200"),
    "otp_static.staticdevice":              ("403", "200"),
}  # fmt: skip
ADMIN_EXTRA_VIEWS = {
    "auth.user": {"<id>/password/": "200"},
    "applications.organisation": {"import/": "200"},
}


def admin_model_row(route: str) -> str | None:
    match = re.fullmatch(r"admin/(\w+)/(\w+)/(.*)", route)
    if not match or f"{match[1]}.{match[2]}" not in ADMIN_MODELS:
        return None
    model, rest = f"{match[1]}.{match[2]}", match[3]
    add, delete = ADMIN_MODELS[model]
    superuser = {
        "": "200",
        "add/": add,
        "<path:object_id>/history/": "200",
        "<path:object_id>/delete/": delete,
        "<path:object_id>/change/": "200",
        "<path:object_id>/": f"→{match[1]}_{match[2]}_change",
        **ADMIN_EXTRA_VIEWS.get(model, {}),
    }.get(rest)
    return f"{NOT_SUPERUSER} {superuser}" if superuser else None


# viewflow's pages of a flow (both flows alike).
FLOW_PAGES = {
    "": "200 200 200",
    "inbox/": "200 200 200",
    "queue/": "200 200 200",
    "archive/": "200 200 200",
    "tasks/": "200 200 200",
    "flows/": "200 200 200",
    "chart/": "200 200 200",
    "<int:process_pk>/": "200 200 200",
    "<int:process_pk>/chart/": "200 200 200",
    # Bulk assign and unassign answer a GET by going back to the flow's index.
    "queue/assign/": "→index →index →index",
    "inbox/unassign/": "→index →index →index",
    # Cancelling a whole process is for a superuser only.
    "<int:process_pk>/cancel/": "403 403 200",
}

# Which task of which object each flow node's URLs point at (see access_world).
TASK_OF_NODE = {
    ("letter", "start"): "A",
    ("letter", "screen"): "B",  # open, taken by the secretariat reviewer
    ("letter", "after_screening"): "A",
    ("letter", "await_changes"): "A",  # open: waits for the applicant
    ("letter", "decide"): "R",  # open, free
    ("letter", "after_decision"): "M",
    ("letter", "onboard"): "M",  # open, free
    ("letter", "end"): "O",
    ("nomination", "start"): "submitted",
    ("nomination", "screen"): "submitted",  # open, taken by the secretariat reviewer
    ("nomination", "decide"): "reviewed",  # open, free
    ("nomination", "after_decision"): "approved",
    ("nomination", "onboard"): "approved",  # open, free
    ("nomination", "end"): "onboarded",
}

# Task actions for the secretariat, the committee and a superuser. The same
# rules hold for letters and nominations: the Secretariat screens and onboards,
# the Committee decides; a task taken by someone is theirs alone. viewflow's own
# pages of a staff task (its index, its detail, the assign confirmation) send
# everyone allowed there to our task page (review:task), the one staff work on.
TASK_ACTIONS = {
    # node       action       secretariat committee admin
    ("screen", "execute"):   "200 403 403",
    ("screen", "assign"):    "403 403 403",
    ("screen", "unassign"):  "200 403 200",
    ("screen", ""):          "→task →task →task",
    ("decide", "execute"):   "403 403 403",
    ("decide", "assign"):    "403 →task →task",
    ("decide", "unassign"):  "403 403 403",
    ("decide", ""):          "→task →task →task",
    ("onboard", "execute"):  "403 403 403",
    ("onboard", "assign"):   "→task 403 →task",
    ("onboard", "unassign"): "403 403 403",
    ("onboard", ""):         "→task →task →task",
}  # fmt: skip


def viewflow_row(route: str) -> str | None:
    match = re.fullmatch(r"review/(letter|nomination)/(.*)", route)
    if not match:
        return None
    rest = match[2]
    if rest in FLOW_PAGES:
        return f"{STAFF} {FLOW_PAGES[rest]}"
    task = re.fullmatch(r"<int:process_pk>/(\w+)/<int:task_pk>/(?:(\w+)/)?", rest)
    if not task or (match[1], task[1]) not in TASK_OF_NODE:
        return None
    node, action = task[1], task[2] or ""
    if action == "detail" and node in ("screen", "decide", "onboard"):
        staff = "→task →task →task"  # our task page (see TASK_ACTIONS)
    elif action == "detail":
        staff = "200 200 200"
    elif action in ("undo", "revive", "cancel"):
        staff = "403 403 200"  # repairing a flow by hand is for a superuser only
    elif (node, action) in TASK_ACTIONS:
        staff = TASK_ACTIONS[(node, action)]
    elif action == "":
        staff = "→detail →detail →detail"  # tasks nobody works on: their detail page
    else:
        return None
    return f"{STAFF} {staff}"


def anymail_row(route: str) -> str | None:
    """anymail's webhooks are mounted for the ESP in use only (SES in the tests),
    and answer 404 to everyone while no ANYMAIL_WEBHOOK_SECRET is set, as here."""
    if not re.fullmatch(r"anymail/amazon_ses/(tracking|inbound)/", route):
        return None
    return everyone("404")


RULES = (admin_model_row, viewflow_row, anymail_row)


def expected_row(route: str) -> list[str] | None:
    row = EXPECTED.get(route)
    for rule in RULES:
        row = row or rule(route)
    if not row:
        return None
    outcomes = row.split()
    if len(outcomes) == len(ROLES) - 1:
        outcomes.insert(ROLES.index("staff_no_2fa"), unverified_outcome(route, outcomes))
    return outcomes


# The URL patterns ---------------------------------------------------------------


def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, view name) of every URL pattern, resolvers followed recursively."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


PATTERNS = dict(url_patterns())
REVIEWED = [route for route in PATTERNS if expected_row(route)]


def test_every_url_pattern_has_an_expectation():
    """A new URL pattern must get its row (or fall under a rule) before it ships."""
    unreviewed = [route for route in PATTERNS if not expected_row(route)]
    assert not unreviewed, "URL patterns without an expected outcome per role:\n" + "\n".join(
        unreviewed
    )


def test_no_expectation_for_a_pattern_that_is_gone():
    stale = [route for route in EXPECTED if route not in PATTERNS]
    assert not stale, f"Rows for URL patterns that no longer exist: {stale}"


def test_every_row_names_an_outcome_per_role():
    for route in REVIEWED:
        row = expected_row(route)
        assert len(row) == len(ROLES), route
        for outcome in row:
            assert re.fullmatch(r"\d{3}|login|admin-login|2fa|file|→[\w:]+", outcome), (
                route,
                outcome,
            )


# Fixtures: the world, built once ------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _real_parts(moto_server):
    """conftest's moto S3 and SES, set up once for the module instead of per test:
    the world's files must outlive each test, and 2,000 cells need no fresh bucket."""
    aws = Aws(moto_server)
    aws.reset()
    attachments = {
        "BACKEND": "config.storage.AttachmentS3Storage",  # as in production
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": moto_server,
            "region_name": REGION,
            "access_key": "testing",
            "secret_key": "testing",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "signature_version": "s3v4",
        },
    }
    with override_settings(
        STORAGES={**settings.STORAGES, "attachments": attachments},
        EMAIL_BACKEND="anymail.backends.amazon_ses.EmailBackend",
        DEFAULT_FROM_EMAIL=f"Global Alliance for Care <{SENDER}>",
        RATE_LIMIT_PUBLIC_FORMS="100000/m",
        STAFF_REQUIRE_2FA=True,
    ):
        yield aws


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _real_parts):
    """Built once in a transaction that is rolled back after the module; each test
    runs in a savepoint inside it, so what a test changes is undone after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# Building a URL for a role ------------------------------------------------------

LINK_KIND = {
    "member_onboarding": "onboarding",
    "applications:nomination_create": "nominate",
    "applications:nomination_status": "nomination_status",
    "applications:nomination_withdraw": "nomination_status",
    "applications:nomination_consent": "consent",
    "applications:letter_draft": "draft",
    "applications:nomination_draft": "nomination_draft",
    "member_onboarding_document": "onboarding",
    "member_self_service": "member",
    "member_contact_add": "member",
    "member_contact_edit": "member",
    "member_contact_remove": "member",
    "member_end": "member",
    "member_reconfirm": "member",
    "member_email_confirm": "member_email",
}  # the other <str:token> URLs are the letters' status link's


def token_for(world, role: str, view_name: str) -> str:
    wallet = world.wallets[role]
    kind = LINK_KIND.get(view_name, "status")
    return wallet.get(kind) or next(iter(wallet.values()), None) or forged_token()


def pk_for(world, view_name: str) -> int:
    letter_a = world.letters["A"]
    nomination = world.nominations["submitted"]
    return {
        "member_detail": world.listed_member.pk,
        "member_logo": world.listed_member.pk,
        "applications:letter_attachment": letter_a.attachments.get().pk,
        "review:letter_detail": letter_a.pk,
        "review:export_applicant": letter_a.pk,
        "review:attachment": letter_a.attachments.get().pk,
        "review:reply_attachment": letter_a.replies.get().attachments.get().pk,
        "review:nomination_detail": nomination.pk,
        "review:nomination_attachment": nomination.attachments.order_by("pk").first().pk,
        "review:call_edit": world.call.pk,
        "review:text_restore": world.text_version.pk,
        "review:setting_restore": world.setting_version.pk,
        "review:question_edit": world.question.pk,
        "review:question_retire": world.question.pk,
        "member_onboarding_document": OnboardingDocument.objects.get().pk,
        "member_contact_edit": world.member_focal.pk,
        "member_contact_remove": world.member_focal.pk,
        "review:member_detail": world.nominator.pk,
        "review:member_step": world.nominator.pk,
    }[view_name]


def admin_object_id(route: str, world) -> str:
    if route.startswith("admin/r/"):
        return str(world.call.pk)
    match = re.fullmatch(r"admin/(\w+)/(\w+)/.*", route)
    model = apps.get_model(match[1], match[2])
    first = model._default_manager.order_by("pk").first()
    assert first is not None, f"the world has no {model._meta.label} for the admin pages"
    return str(first.pk)


def build_url(route: str, role: str, world) -> str:
    view_name = PATTERNS[route]
    path = REGEX_EXAMPLES.get(route, route)
    flow = re.match(r"review/(letter|nomination)/<int:process_pk>/(?:(\w+)/<int:task_pk>/)?", path)
    if flow:
        kind, node = flow[1], flow[2]
        objects = world.letters if kind == "letter" else world.nominations
        subject = objects[
            TASK_OF_NODE[(kind, node)] if node else ("A" if kind == "letter" else "submitted")
        ]
        process = subject.process
        path = path.replace("<int:process_pk>", str(process.pk))
        if node:
            flow_class = LetterFlow if kind == "letter" else NominationFlow
            task = process.task_set.filter(flow_task=getattr(flow_class, node)).latest("pk")
            path = path.replace("<int:task_pk>", str(task.pk))
    replacements = {
        "<str:token>": lambda: token_for(world, role, view_name),
        "<int:pk>": lambda: str(pk_for(world, view_name)),
        "<uuid:public_id>": lambda: str(world.call.public_id),
        "<path:content_type_id>": lambda: str(
            ContentType.objects.get_for_model(type(world.call)).pk
        ),
        "<path:object_id>": lambda: admin_object_id(route, world),
        "<id>": lambda: str(world.reviewer.pk),
        "<int:task_pk>": lambda: str(
            world.letters["B"].process.task_set.filter(flow_task=LetterFlow.screen).latest("pk").pk
        ),
        "<slug:event>": lambda: "letter_submitted",
        "<slug:audience>": lambda: "applicant",
        "<slug:name>": lambda: "home_intro",
        "<slug:key>": lambda: "deadlines",
        "<slug:step>": lambda: "suspend",
        "<uidb64>": lambda: "MQ",
        "<token>": lambda: "not-a-reset-token",
    }
    for placeholder, value in replacements.items():
        if placeholder in path:
            path = path.replace(placeholder, value())
    assert "<" not in path and "(" not in path, f"no example for a part of {route}"
    return "/" + path


def client_for(role: str, world) -> Client:
    client = Client(raise_request_exception=False)
    user = {"secretariat": world.reviewer, "committee": world.approver, "admin": world.admin}
    if role in user:
        client.force_login(user[role])
        verified_session(client, user[role])
    elif role == "staff_no_2fa":
        client.force_login(world.unverified)
    return client


def outcome_of(response, url: str) -> str:
    """The response in the notation of the table."""
    if response.status_code != 302:
        return str(response.status_code)
    location = urljoin(url, response["Location"])
    parts = urlsplit(location)
    if parts.netloc and parts.netloc != "testserver":
        return "file" if _is_presigned(location) else f"302 to {location}"
    query = parse_qs(parts.query)
    if parts.path == settings.LOGIN_URL and query.get("next") == [url]:
        return "login"
    if parts.path == "/admin/login/" and query.get("next") == [url]:
        return "admin-login"
    if parts.path in SECOND_FACTOR_PAGES and query.get("next") == [url]:
        return "2fa"
    return f"→{resolve(parts.path).view_name}"


SECOND_FACTOR_PAGES = ("/accounts/two-factor/", "/accounts/two-factor/setup/")


def _is_presigned(location: str) -> bool:
    endpoint = settings.STORAGES["attachments"]["OPTIONS"]["endpoint_url"]
    return location.startswith(f"{endpoint}/{BUCKET}/") and "X-Amz-Signature=" in location


def matches(outcome: str, expected: str) -> bool:
    if expected.startswith("→") and outcome.startswith("→"):
        return outcome == expected or outcome.endswith(":" + expected[1:])
    return outcome == expected


# The matrix ---------------------------------------------------------------------

CELLS = [(route, role) for route in REVIEWED for role in ROLES]
# Every distinct page the matrix renders, for the HTML checker (the last test).
RENDERED = Pages()


@pytest.mark.parametrize(("route", "role"), CELLS, ids=[f"{r or '/'} {role}" for r, role in CELLS])
def test_access(world, route, role):
    expected = expected_row(route)[ROLES.index(role)]
    url = build_url(route, role, world)
    client = client_for(role, world)
    if route in POSTS:
        response = client.post(url, POSTS[route])
    else:
        response = client.get(url)
    outcome = outcome_of(response, url)
    assert matches(outcome, expected), f"{role} on {url}: {outcome}, expected {expected}"
    RENDERED.add(f"{role} GET {url}" if route not in POSTS else f"{role} POST {url}", response)
    if outcome in ("200", "file") and (role in STAFF_ROLES or route not in PUBLIC_ROUTES):
        # Personal data: kept by no cache (config/privacy.py), the file by S3 neither.
        assert "no-store" in response.get("Cache-Control", ""), f"{role} on {url}: cached"
        if outcome == "file" and "logo" not in route:
            assert "response-cache-control=no-store" in response["Location"], url
    if route not in POSTS and route not in HEAD_DIFFERS:
        head = outcome_of(client.head(url), url)
        assert head == outcome, f"{role}: HEAD {url} is {head}, GET {outcome}"


# Signed links -------------------------------------------------------------------

MAX_AGE = timedelta(days=settings.STATUS_LINK_MAX_AGE_DAYS)


def link_makers(world) -> dict:
    """Each kind of signed link: (make a token, the page that takes it)."""
    from django.urls import reverse

    a, m = world.letters["A"], world.letters["M"]
    waiting, submitted = world.nominations["awaiting_consent"], world.nominations["submitted"]
    return {
        "status": (
            lambda: links.status_token(a),
            lambda token: reverse("applications:letter_status", args=[token]),
        ),
        "onboarding": (
            lambda: links.onboarding_token(m),
            lambda token: reverse("member_onboarding", args=[token]),
        ),
        "nominate": (
            lambda: links.nominate_token(world.call, world.nominator),
            lambda token: reverse("applications:nomination_create", args=[token]),
        ),
        "consent": (
            lambda: links.consent_token(waiting),
            lambda token: reverse("applications:nomination_consent", args=[token]),
        ),
        "nomination_status": (
            lambda: links.nomination_status_token(submitted),
            lambda token: reverse("applications:nomination_status", args=[token]),
        ),
        "member": (
            lambda: links.member_token(world.member_focal),
            lambda token: reverse("member_self_service", args=[token]),
        ),
        "member_email": (
            lambda: links.member_email_token(world.member_focal),
            lambda token: reverse("member_email_confirm", args=[token]),
        ),
    }


KINDS = (
    "status",
    "onboarding",
    "nominate",
    "consent",
    "nomination_status",
    "member",
    "member_email",
)


@pytest.mark.parametrize("kind", KINDS)
def test_a_link_works_until_it_expires(world, kind):
    make, page = link_makers(world)[kind]
    now = timezone.now()
    with time_machine.travel(now - MAX_AGE + timedelta(hours=1)):
        fresh = make()
    with time_machine.travel(now - MAX_AGE - timedelta(hours=1)):
        stale = make()
    client = Client()
    assert client.get(page(fresh)).status_code == 200
    response = client.get(page(stale))
    assert response.status_code == 410
    assert "expired" in response.content.decode().lower()


def test_the_expiry_follows_the_setting(world, settings):
    make, page = link_makers(world)["status"]
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        token = make()
    assert Client().get(page(token)).status_code == 200
    settings.STATUS_LINK_MAX_AGE_DAYS = 2
    assert Client().get(page(token)).status_code == 410


@pytest.mark.parametrize("page_kind", KINDS)
@pytest.mark.parametrize("token_kind", KINDS)
def test_a_link_is_refused_for_another_purpose(world, token_kind, page_kind):
    makers = link_makers(world)
    token = makers[token_kind][0]()
    status = Client().get(makers[page_kind][1](token)).status_code
    assert status == (200 if token_kind == page_kind else 404)


def test_a_status_link_is_bound_to_its_letter(world):
    """A's status link cannot open B's file, B's link not A's; and a status token
    naming something that is not a letter (a nomination's id) finds nothing."""
    from django.urls import reverse

    a, b = world.letters["A"], world.letters["B"]
    client = Client()
    for holder, other in ((a, b), (b, a)):
        url = reverse(
            "applications:letter_attachment",
            args=[links.status_token(holder), other.attachments.get().pk],
        )
        assert client.get(url).status_code == 404
    nomination = world.nominations["submitted"]
    token = signing.dumps(
        {"letter": str(nomination.public_id)}, salt=links.STATUS_SALT, compress=True
    )
    assert client.get(reverse("applications:letter_status", args=[token])).status_code == 404


def test_a_consent_link_is_bound_to_the_nominee_address(world):
    """A consent link sent to an address stops working if the nomination's address
    changes (e.g. corrected by the Secretariat): it was meant for the old one."""
    from django.urls import reverse

    from applications.models import Nomination

    waiting = world.nominations["awaiting_consent"]
    url = reverse("applications:nomination_consent", args=[links.consent_token(waiting)])
    assert Client().get(url).status_code == 200
    Nomination.objects.filter(pk=waiting.pk).update(nominee_email="someone.else@example.org")
    assert Client().get(url).status_code == 404


def test_a_nomination_link_is_bound_to_a_member(world):
    """A nomination link for an organisation that is not a member is refused."""
    from django.urls import reverse

    applicant_org = world.letters["M"].organisation  # approved, not yet a member
    token = links.nominate_token(world.call, applicant_org)
    response = Client().get(reverse("applications:nomination_create", args=[token]))
    assert response.status_code == 404


def _modified(token: str):
    """Every one-character change of the token, and some cruder ones."""
    alphabet = "ABCabc019-_:."
    for i, char in enumerate(token):
        yield token[:i] + next(c for c in alphabet if c != char) + token[i + 1 :]
    yield token[:-1]
    yield token[1:]
    yield token + "A"
    yield token.replace(":", "", 1)
    yield token.split(":")[0]
    yield token + ":" + token.rsplit(":", 1)[-1]
    yield token.upper()
    yield "%00" + token
    yield token + "%C3%A9"
    yield "…" + token
    yield "A" * 2000


@pytest.mark.parametrize("kind", KINDS)
def test_a_modified_link_is_refused_never_with_an_error(world, kind):
    make, page = link_makers(world)[kind]
    token = make()
    client = Client(raise_request_exception=False)
    refused = {}
    for variant in _modified(token):
        status = client.get(page(variant)).status_code
        refused[status] = refused.get(status, 0) + 1
    assert set(refused) == {404}, refused
    print(f"\n{kind}: {sum(refused.values())} modified links refused")


def test_links_are_only_signed_by_us(world):
    """The right payload signed with another key, or with our key under another
    salt (another purpose, or a near miss), is refused."""
    from django.urls import reverse

    payload = {"letter": str(world.letters["A"].public_id)}
    for token in (
        signing.dumps(payload, key="not-our-key", salt=links.STATUS_SALT, compress=True),
        signing.dumps(payload, salt=links.STATUS_SALT + ".", compress=True),
        signing.dumps(payload, salt=links.ONBOARDING_SALT, compress=True),
        signing.dumps(payload, compress=True),
    ):
        url = reverse("applications:letter_status", args=[token])
        assert Client().get(url).status_code == 404


# anymail's webhooks (defects found by the matrix and by a probe) --------------------


def test_only_the_webhook_of_the_esp_in_use_is_mounted(mounted_esp):
    anymail = sorted(route for route in PATTERNS if route.startswith("anymail/"))
    assert anymail == ["anymail/amazon_ses/inbound/", "anymail/amazon_ses/tracking/"]
    mounted_esp("mailgun")
    assert sorted(r for r in dict(url_patterns()) if r.startswith("anymail/")) == [
        "anymail/^mailgun/inbound(_mime)?/$",  # anymail's own re_path: both its formats
        "anymail/mailgun/tracking/",
    ]


def test_other_esps_webhooks_are_not_found(settings):
    """They answered with a 500 (Mailgun, Postal… cannot be built without their
    keys; Mandrill failed on every POST) or took forged reports (Postmark's
    format changed an SES email's status): not mounted now."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:secret"}
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Basic dXNlcjpzZWNyZXQ=")
    for esp in ("mailersend", "mailgun", "postal", "unisender_go", "mandrill", "postmark"):
        assert client.post(f"/anymail/{esp}/tracking/", "{}", "application/json").status_code == 404
    assert client.post("/anymail/mandrill/", "{}", "application/json").status_code == 404
    assert client.get("/anymail/mailgun/inbound/").status_code == 404


@pytest.mark.parametrize("esp", ["mailgun", "mandrill"])
def test_the_esp_in_use_without_its_key_answers_503_never_500(settings, mounted_esp, esp):
    """Its reports must come again once the key is set: a 503 the ESP retries."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:secret"}
    mounted_esp(esp)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Basic dXNlcjpzZWNyZXQ=")
    response = client.post(f"/anymail/{esp}/tracking/", "{}", "application/json")
    assert response.status_code == 503
    assert response["Retry-After"]


def test_the_esp_in_use_without_a_secret_is_not_found(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    client = Client(raise_request_exception=False)
    assert client.post("/anymail/amazon_ses/tracking/", "{}", "text/plain").status_code == 404


# HTML validity -------------------------------------------------------------------


def test_every_page_the_matrix_renders_is_valid_html(world, tmp_path):
    """The Nu HTML Checker over every distinct page above: 0 errors in our markup
    (viewflow's and Django admin's own, listed in ``html_check.NOT_OUR_MARKUP``, are
    counted apart). Run alone (``-k html``), it renders the pages of five roles itself."""
    if not RENDERED.pages:
        for route in REVIEWED:
            if route in POSTS:
                continue
            for role in ("anonymous", "applicant_a", "member_contact", "nominee", "admin"):
                client = client_for(role, world)
                RENDERED.add(f"{role} GET {route}", client.get(build_url(route, role, world)))
    ours, theirs = ours_and_theirs(vnu_errors(RENDERED, tmp_path))
    print(
        f"\nvnu (access matrix): pages={len(RENDERED.pages)} errors={len(ours)} "
        f"errors_in_viewflow_or_django_admin_markup={len(theirs)}"
    )
    assert not ours, "\n".join(ours)
