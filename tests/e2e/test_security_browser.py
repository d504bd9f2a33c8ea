"""Abuse protection in a real browser (issue 7, point 4).

- Chromium reports no Content-Security-Policy violation on the public pages, the
  viewflow staff site (inbox, queue, task page, process page and its chart), the
  staff letter pages and Django's admin: the policy blocks nothing they need;
- a visitor refused by the rate limit reads the 429 page, goes back with the
  browser's Back button and finds everything they typed;
- the honeypot is out of sight, out of the accessibility tree and never reached
  with the Tab key.

Runs against pytest-django's live server with moto's S3 and SES from
``tests/conftest.py``.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import RequestFactory
from playwright.sync_api import expect

from applications.links import status_path
from config.abuse import take
from review.selectors import letter_open_task

pytestmark = pytest.mark.e2e


def watch_csp(page) -> list[str]:
    """Collects the CSP violations Chromium reports on the console."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


def visit(page, url):
    response = page.goto(url)
    assert response.status < 400, f"{url}: {response.status}"
    page.wait_for_load_state("load")


def log_in(page, base_url, username, password):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_no_page_breaks_the_content_security_policy(
    live_server, page, new_page, make_letter, reviewer
):
    letter = make_letter("submitted")
    violations = watch_csp(page)
    for path in ("/", "/apply/", "/members/", "/letters/link/", status_path(letter)):
        visit(page, live_server.url + path)

    log_in(page, live_server.url, "reviewer", "pw-reviewer")
    task = letter_open_task(letter=letter, node_name="screen")
    process = f"/review/letter/{task.process_id}/"
    for path in (
        "/review/letter/",
        "/review/letter/inbox/",
        "/review/letter/queue/",
        "/review/letter/chart/",
        process,
        f"{process}chart/",
        f"/staff/letters/{letter.pk}/",
        "/staff/letters/dashboard/",
    ):
        visit(page, live_server.url + path)
    # The task page, taken with its one button.
    visit(page, f"{live_server.url}/staff/letters/tasks/{task.pk}/")
    page.get_by_role("button", name="Take this task", exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/letters/tasks/\d+/$"))
    expect(page.get_by_role("button", name="Complete", exact=True)).to_be_visible()

    User.objects.create_superuser("root", "root@alliance.test", "pw-root")
    admin = new_page()
    violations += watch_csp(admin)
    log_in(admin, live_server.url, "root", "pw-root")
    for path in (
        "/admin/",
        "/admin/applications/letter/",
        f"/admin/applications/letter/{letter.pk}/change/",
    ):
        visit(admin, live_server.url + path)

    assert violations == []


@pytest.fixture
def rate_limit_counters():
    """The live server's counters are committed rows, which a flush does not reach."""
    yield
    caches["ratelimit"].clear()


def test_a_visitor_over_the_limit_goes_back_to_what_they_typed(
    live_server, page, settings, rate_limit_counters
):
    settings.RATE_LIMIT_PUBLIC_FORMS = "3/h"
    # This address has already sent the form three times this hour.
    earlier = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1")
    for _ in range(3):
        take("letter_create", earlier, settings.RATE_LIMIT_PUBLIC_FORMS)

    page.goto(live_server.url + "/apply/")
    page.get_by_label(re.compile(r"^\s*Organisation name")).fill("Red de Cuidados del Lago")
    page.get_by_label(re.compile(r"^\s*Motivation")).fill("Queremos compartir experiencias.")
    page.get_by_role("button", name="Send the letter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    expect(page.get_by_text("Please wait")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/apply/$"))
    expect(page.get_by_label(re.compile(r"^\s*Organisation name"))).to_have_value(
        "Red de Cuidados del Lago"
    )
    expect(page.get_by_label(re.compile(r"^\s*Motivation"))).to_have_value(
        "Queremos compartir experiencias."
    )


def test_the_honeypot_is_out_of_sight_and_out_of_reach(live_server, page):
    page.goto(live_server.url + "/apply/")
    honeypot = page.locator("input[name=homepage]")
    expect(honeypot).to_have_count(1)
    expect(honeypot).not_to_be_in_viewport()
    # Not in the accessibility tree: no textbox of that name for a screen reader.
    expect(page.get_by_role("textbox", name="Leave this field empty")).to_have_count(0)
    # The Tab key walks the whole form without ever reaching it.
    focused = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        focused.add(page.evaluate("document.activeElement.name || document.activeElement.id"))
    assert "organisation_name" in focused and "consent_privacy" in focused
    assert "homepage" not in focused
