"""The staff workspace in a real browser, counting what a reviewer and an approver do.

On the demo data (`make run`): the demo reviewer logs in and screens the waiting
letter; the demo approver logs in and decides it. Every click and every page load
is counted, besides ticking the checklist and choosing the outcome. The screener,
who here also sits on the committee, sees in her tasks why she does not decide
the letters she screened, without opening anything.
"""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from applications.models import Letter
from applications.roles import COMMITTEE
from review.forms import CHECKLIST

pytestmark = pytest.mark.e2e

TO_SCREEN = "Red de Cuidados Comunitarios"  # the demo data's submitted letter
SCREENED = "Care Workers United"  # screened by the demo reviewer, waiting for a decision
MAX_SCREENING = 4
MAX_DECISION = 3


class Counter:
    """Clicks made through ``click`` and page loads of the main frame."""

    def __init__(self, page):
        self.page = page
        self.clicks = 0
        self.loads = 0
        page.on("load", self._loaded)

    def _loaded(self, _page):
        self.loads += 1

    def click(self, locator):
        self.clicks += 1
        locator.click()
        self.page.wait_for_load_state("load")


def log_in(counter, base, username, password):
    page = counter.page
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    counter.click(page.get_by_role("button", name="Log in", exact=True))
    expect(page).to_have_url(re.compile(r"/staff/letters/tasks/$"))


@pytest.fixture
def demo(staff_groups):
    call_command("demo_data", stdout=io.StringIO())


def test_demo_reviewer_screens_and_demo_approver_decides_in_few_clicks(
    live_server, page, new_page, demo, request
):
    base = live_server.url
    Group.objects.get(name=COMMITTEE).user_set.add(
        Group.objects.get(name="Secretariat").user_set.get(username="reviewer")
    )

    # The reviewer: login, her tasks, the letter's task page, complete.
    reviewer = Counter(page)
    log_in(reviewer, base, "reviewer", "reviewer-demo")
    # Four-eyes, visible before any click: the letter she screened is not offered
    # to her, and her tasks say why.
    screened = page.get_by_role("region", name="Decisions someone else takes")
    expect(screened).to_contain_text(SCREENED)
    expect(screened).to_contain_text("you screened these")
    expect(page.get_by_role("link", name=SCREENED)).to_have_count(0)

    reviewer.click(page.get_by_role("link", name=TO_SCREEN, exact=True))
    # The letter is readable before anyone takes the task; the form follows it.
    expect(page.get_by_role("heading", name=TO_SCREEN, level=2)).to_be_visible()
    expect(page.get_by_text("Nobody has taken this task yet.")).to_be_visible()
    for _name, label in CHECKLIST:
        page.get_by_role("checkbox", name=str(label)).check()
    page.get_by_role("radio", name="Recommend approval to the committee").check()
    reviewer.click(page.get_by_role("button", name="Complete", exact=True))
    expect(page.get_by_text(f"Screening recorded for {TO_SCREEN}.")).to_be_visible()
    letter = Letter.objects.get(organisation_name=TO_SCREEN)
    assert letter.status == "reviewed"
    assert letter.screened_by.username == "reviewer"
    screening = (reviewer.clicks, reviewer.loads)

    # The approver: login, the decision in her tasks, complete.
    approver_page = new_page()
    approver = Counter(approver_page)
    log_in(approver, base, "approver", "approver-demo")
    row = approver_page.get_by_role("row").filter(has_text=TO_SCREEN)
    expect(row).to_contain_text("Decision")
    approver.click(row.get_by_role("link", name=TO_SCREEN, exact=True))
    expect(approver_page.get_by_text("Recommend approval")).to_be_visible()
    approver_page.get_by_role("radio", name=re.compile(r"^Approve")).check()
    approver.click(approver_page.get_by_role("button", name="Complete", exact=True))
    expect(approver_page.get_by_text(f"Decision recorded for {TO_SCREEN}.")).to_be_visible()
    letter.refresh_from_db()
    assert letter.status == "approved" and letter.decided_by.username == "approver"

    print(
        f"\nstaff journey: screening_clicks={screening[0]} screening_loads={screening[1]}"
        f" decision_clicks={approver.clicks} decision_loads={approver.loads}"
    )
    assert screening[0] <= MAX_SCREENING and screening[1] <= MAX_SCREENING, screening
    assert approver.clicks <= MAX_DECISION, approver.clicks


def test_the_email_preview_shows_the_html_email_and_long_links_wrap(live_server, page, demo):
    """The preview is the email as it will be sent, drawn under the page's CSP, and a
    long link in it does not widen the staff page."""
    base = live_server.url
    counter = Counter(page)
    log_in(counter, base, "reviewer", "reviewer-demo")
    counter.click(page.get_by_role("link", name=TO_SCREEN, exact=True))
    link = "https://example.org/" + "plan-de-trabajo-" * 20
    page.get_by_role("radio", name="Ask the applicant for changes").check()
    page.get_by_label("Message to the applicant", exact=True).fill(f"Add your plan: {link}")
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    page.get_by_role("button", name="Preview the email to the applicant").click()
    expect(
        page.get_by_role("heading", name="The applicant will receive this email")
    ).to_be_visible()
    frame = page.frame_locator("iframe")
    # The demo letter is in Spanish: so is its email.
    expect(frame.get_by_text("Alianza Global por los Cuidados").first).to_be_visible()
    expect(frame.get_by_text("Add your plan:")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, (width, viewport)
    assert violations == []
