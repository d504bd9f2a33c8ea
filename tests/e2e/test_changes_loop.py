"""In a real browser, the changes loop of issue 3: a reviewer asks for changes, the
applicant resubmits through the status link, the reviewer sees the diff and
recommends approval, the screener is refused the decision (four-eyes), and a
different committee member approves.

Runs against pytest-django's live server with moto's S3 and SES from
``tests/conftest.py``; the letter starts from the real services (``make_letter``).
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from applications.links import status_path
from applications.models import Letter
from review.forms import CHECKLIST
from review.selectors import letter_open_task

pytestmark = pytest.mark.e2e

ORGANISATION = "Red de Cuidados del Lago"
OLD_MOTIVATION = "Queremos compartir experiencias."
NEW_MOTIVATION = "Queremos compartir experiencias y un plan de trabajo para 2026."
REQUEST = "Please add your work plan for next year to the motivation."
NOTE = "Internal: solid organisation, only the work plan is missing."
NODE_TITLES = {"screen": "Screening", "decide": "Decision", "onboard": "Onboarding"}


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/staff/letters/tasks/$"))


def open_task(page, base_url, letter, node, *, follow=True) -> str:
    """On the staff letter page, find "Open task" of ``node``, follow it unless told not
    to, and return the task's URL."""
    page.goto(f"{base_url}/staff/letters/{letter.pk}/")
    link = page.get_by_role("link", name=re.compile(r"^Open task"))
    expect(link).to_have_attribute("href", re.compile(r"^/staff/letters/tasks/\d+/$"))
    expect(link).to_contain_text(NODE_TITLES[node])
    href = link.get_attribute("href")
    if follow:
        link.click()
    return base_url + href


def take_task(page, task_url):
    """Take the task on its page (the letter above, the form below), staying there."""
    expect(page).to_have_url(task_url)
    page.get_by_role("button", name="Take this task", exact=True).click()
    expect(page).to_have_url(task_url)
    expect(page.get_by_text("This task is yours.")).to_be_visible()
    expect(page.get_by_role("button", name="Complete", exact=True)).to_be_visible()


def complete(page, letter):
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/staff/letters/{letter.pk}/$"))


def test_changes_loop_with_diff_and_four_eyes(
    live_server, page, new_page, make_letter, reviewer, approver
):
    base = live_server.url
    letter = make_letter("submitted", organisation_name=ORGANISATION, motivation=OLD_MOTIVATION)
    assert letter.status == "submitted" and letter.revision == 1
    # The screener also sits on the committee: only the four-eyes rule stops them deciding.
    reviewer.groups.add(Group.objects.get(name="Committee"))

    # 1. The reviewer logs in, opens the screening task, takes it and asks for changes.
    staff = new_page()
    log_in(staff, base, "reviewer")
    screen_url = open_task(staff, base, letter, "screen")
    take_task(staff, screen_url)
    expect(staff.get_by_role("heading", name="Screening", exact=True)).to_be_visible()
    expect(staff.get_by_role("heading", name=f"{ORGANISATION} (RC)")).to_be_visible()
    staff.get_by_role("radio", name="Ask the applicant for changes").check()
    staff.get_by_label("Message to the applicant", exact=True).fill(REQUEST)
    staff.get_by_label("Internal note (never shown to the applicant)").fill(NOTE)
    complete(staff, letter)
    expect(staff.get_by_text(f"Screening recorded for {ORGANISATION}.")).to_be_visible()
    letter.refresh_from_db()
    assert letter.status == "changes_requested"

    # 2. The applicant opens the status link, reads the request and resubmits.
    status_url = base + status_path(letter)  # the token carries a timestamp: make it once
    page.goto(status_url)
    expect(
        page.get_by_role("heading", name="What the Secretariat asks you to change")
    ).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(REQUEST)
    expect(page.get_by_role("main")).not_to_contain_text(NOTE)
    page.get_by_role("link", name="Edit and resubmit the letter").click()
    expect(page).to_have_url(re.compile(r"/letters/[^/]+/edit/$"))
    motivation = page.get_by_label(re.compile(r"^\s*Motivation"))
    expect(motivation).to_have_value(OLD_MOTIVATION)
    motivation.fill(NEW_MOTIVATION)
    page.get_by_role("button", name="Send the changes").click()
    expect(page).to_have_url(status_url)
    expect(page.get_by_text("Thank you. Your letter was sent again for screening.")).to_be_visible()
    letter.refresh_from_db()
    assert (letter.status, letter.revision, letter.motivation) == ("submitted", 2, NEW_MOTIVATION)

    # 3. The reviewer opens the new screening task and sees what changed.
    second_screen_url = open_task(staff, base, letter, "screen")
    assert second_screen_url != screen_url
    take_task(staff, second_screen_url)
    changes = staff.locator(".changes")
    expect(changes.get_by_role("heading")).to_have_text("What changed in submission 2")
    row = changes.get_by_role("row").filter(has=staff.get_by_role("rowheader", name="Motivation"))
    expect(row.locator("del")).to_have_text(OLD_MOTIVATION)
    expect(row.locator("ins")).to_have_text(NEW_MOTIVATION)
    # ... ticks the whole eligibility checklist and recommends approval.
    for _name, label in CHECKLIST:
        staff.get_by_role("checkbox", name=str(label)).check()
    staff.get_by_role("radio", name="Recommend approval to the committee").check()
    complete(staff, letter)
    letter.refresh_from_db()
    assert (letter.status, letter.screened_by_id) == ("reviewed", reviewer.pk)

    # 4. Four-eyes: the screener, though on the committee, cannot take the decision:
    # the letter page says why instead of offering the task, and its URL refuses them.
    staff.goto(f"{base}/staff/letters/{letter.pk}/")
    expect(staff.get_by_role("note")).to_contain_text("four-eyes rule")
    expect(staff.get_by_role("link", name=re.compile(r"^Open task"))).to_have_count(0)
    task = letter_open_task(letter=letter, node_name="decide")
    decide_url = f"{base}/staff/letters/tasks/{task.pk}/"
    viewflow_url = f"{base}/review/letter/{task.process_id}/decide/{task.pk}/"
    response = staff.goto(viewflow_url + "assign/")
    assert response is not None and response.status == 403
    expect(staff.get_by_role("alert")).to_contain_text("four-eyes rule")
    expect(staff.get_by_role("button", name="Assign", exact=True)).to_have_count(0)
    assert letter_open_task(letter=letter, node_name="decide").owner_id is None

    # 5. A different committee member takes the decision and approves.
    committee = new_page()
    log_in(committee, base, "approver")
    assert open_task(committee, base, letter, "decide") == decide_url
    take_task(committee, decide_url)
    committee.get_by_role("radio", name=re.compile(r"^Approve")).check()
    complete(committee, letter)
    expect(committee.get_by_text(f"Decision recorded for {ORGANISATION}.")).to_be_visible()
    assert Letter.objects.get(pk=letter.pk).status == "approved"
    assert Letter.objects.get(pk=letter.pk).decided_by_id == approver.pk
