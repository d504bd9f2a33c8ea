"""In a real browser, the nomination journey of issue 5: the Secretariat opens a call,
the hourly job invites the members, a member nominates a person of another member
organisation through the link of its invitation, the nominee accepts through the link
of their email, a reviewer screens, the screener is refused the decision (four-eyes),
a different committee member approves, the Secretariat onboards the nominee, who gets
the committee welcome and is listed in the member directory.

Runs against pytest-django's live server with moto's S3 and SES from
``tests/conftest.py``; every email is sent by the real worker and read back from
moto, and every link the people follow is taken from the email they received.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Call, Nomination
from applications.nominations.services import call_invitations_send
from review.selectors import nomination_open_task

from .. import factories
from ..conftest import subject_of, text_of
from ..files import pdf_bytes

pytestmark = pytest.mark.e2e

ZONE = "America/Mexico_City"
CALL_TITLE = "Call for the Management Committee 2027-2028"
NOMINATOR = "Red Andina de Cuidados"
NOMINATOR_EMAIL = "contacto@red-andina.example.org"
NOMINEE_ORG = "Cuidados Comunitarios del Sur"
NOMINEE = "Lucía Quispe Mamani"
NOMINEE_EMAIL = "lucia.quispe@cuidados-sur.example.org"
POSITION = "Coordinator of community care centres"
MOTIVATION = "Fifteen years building community care centres with municipalities."
CALENDAR_URL = "https://alliance-for-care.example.org/committee/calendar"


def field(page, label):
    """A form control by its visible label, with or without the required mark."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$"))


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/staff/letters/tasks/$"))


def mail_to(aws, address, subject):
    """The one email with ``subject`` that moto's SES accepted for ``address``."""
    found = [
        message
        for message in aws.sent()
        if address in message["To"] and re.search(subject, subject_of(message))
    ]
    assert len(found) == 1, [(m["To"], subject_of(m)) for m in aws.sent()]
    return found[0]


def link_in(message, path_prefix) -> str:
    found = re.search(rf"https?://\S+{re.escape(path_prefix)}[^/\s]+/", text_of(message))
    assert found, f"no {path_prefix} link in:\n{text_of(message)}"
    return found.group(0)


def open_from_inbox(page, base_url, task_title) -> str:
    """In the staff inbox (letters and nominations together), follow the nominee's task
    ``task_title``; return the task's URL."""
    page.goto(base_url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Review inbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    row = inbox_row(page, task_title)
    expect(row).to_have_count(1)
    link = row.get_by_role("link", name=f"{NOMINEE} ({NOMINEE_ORG})")
    href = link.get_attribute("href")
    assert re.fullmatch(r"/staff/letters/tasks/\d+/", href), href
    link.click()
    return base_url + href


def inbox_row(page, task_title):
    return (
        page.get_by_role("row")
        .filter(has=page.get_by_role("cell", name="Nomination", exact=True))
        .filter(has=page.get_by_role("cell", name=task_title, exact=True))
    )


def take_task(page, task_url):
    """Take the task on its page (the nomination above, the form below), staying there."""
    expect(page).to_have_url(task_url)
    page.get_by_role("button", name="Take this task", exact=True).click()
    expect(page).to_have_url(task_url)
    expect(page.get_by_text("This task is yours.")).to_be_visible()


def complete(page, base_url, nomination):
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page).to_have_url(f"{base_url}/staff/letters/nominations/{nomination.pk}/")


def test_member_nominates_nominee_accepts_and_joins_the_committee(
    live_server, page, new_page, aws, run_worker, reviewer, approver, settings, tmp_path
):
    base = live_server.url
    # Links in emails point at the live server, so the test follows them as written.
    settings.SITE_URL = base
    settings.COMMITTEE_CALENDAR_URL = CALENDAR_URL
    nominator = factories.member(
        name=NOMINATOR, contact_email=NOMINATOR_EMAIL, language="en", public_listing=True
    )
    factories.member(
        name=NOMINEE_ORG,
        website="https://cuidados-sur.example.org",
        contact_email="info@cuidados-sur.example.org",
        language="en",
        public_listing=True,
    )
    factories.member(name="Red de Cuidados del Caribe", contact_email="hola@caribe.example.org")
    # The screener also sits on the committee: only the four-eyes rule stops them deciding.
    reviewer.groups.add(Group.objects.get(name="Committee"))

    # 1. The Secretariat opens a call on the staff pages: open since an hour ago, for a month.
    staff = new_page()
    log_in(staff, base, "reviewer")
    staff.goto(base + "/")
    staff.get_by_role("navigation").get_by_role("link", name="Review inbox").click()
    staff.get_by_role("link", name="Calls for nominations").click()
    staff.get_by_role("link", name="New call").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("New call for nominations")
    now = timezone.localtime(timezone.now(), ZoneInfo(ZONE))
    opens, closes = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=30)
    for language, name in (("es", "Spanish"), ("en", "English"), ("fr", "French")):
        field(staff, f"Title ({name})").fill(
            CALL_TITLE if language == "en" else f"{CALL_TITLE} ({language})"
        )
        field(staff, f"Description ({name})").fill(f"The committee is renewed ({language}).")
    field(staff, "Time zone of the dates").select_option(ZONE)
    field(staff, "Opens").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    field(staff, "Closes").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    field(staff, "Seats: Civil society organisation").fill("2")
    staff.get_by_role("button", name="Save the call").click()
    expect(staff).to_have_url(base + "/staff/letters/calls/")
    expect(staff.get_by_text("The call was saved.")).to_be_visible()
    expect(staff.get_by_role("row").filter(has_text=CALL_TITLE)).to_contain_text(
        "Civil society organisation: 2"
    )
    call = Call.objects.get(title_en=CALL_TITLE)
    assert call.time_zone == ZONE
    assert call.opens_at == opens.replace(second=0, microsecond=0)

    # 2. Saved while already open, the call invited every member at once (issue 14),
    # so the hourly job finds nobody left to invite; the worker sends through SES.
    call.refresh_from_db()
    assert call.invitations_sent_at is not None
    assert call_invitations_send() == 0
    run_worker()
    invitation = mail_to(aws, NOMINATOR_EMAIL, rf"^Call for nominations open: {CALL_TITLE}$")
    nominate_url = link_in(invitation, "/nominate/")
    assert nominate_url.startswith(base)

    # 3. The member opens its link and fills the nomination form.
    page.goto(nominate_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nominate to the Management Committee"
    )
    expect(page.get_by_role("main")).to_contain_text(f"Nomination by {NOMINATOR}")
    cv, endorsement = tmp_path / "cv-lucia.pdf", tmp_path / "endorsement.pdf"
    cv_pdf, endorsement_pdf = pdf_bytes("Curriculum vitae"), pdf_bytes("We endorse her")
    cv.write_bytes(cv_pdf)
    endorsement.write_bytes(endorsement_pdf)
    field(page, "Nominee's full name").fill(NOMINEE)
    field(page, "Nominee's e-mail").fill(NOMINEE_EMAIL)
    field(page, "Nominee's position").fill(POSITION)
    field(page, "Member organisation the nominee belongs to").select_option(label=NOMINEE_ORG)
    page.get_by_role("radio", name="English").check()
    field(page, "Constituency of the seat").select_option("civil_society")
    field(page, "Statement of motivation").fill(MOTIVATION)
    field(page, "Nominee's CV").set_input_files(cv)
    field(page, "Endorsement letter from your organisation").set_input_files(endorsement)
    page.get_by_role("button", name="Send the nomination").click()

    # ... and lands on the nomination's status page.
    expect(page).to_have_url(re.compile(r"/nominations/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nomination of {NOMINEE}")
    expect(page.get_by_text(f"We asked {NOMINEE} to confirm the nomination")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Status:")).to_contain_text(
        "Waiting for the nominee's consent"
    )
    nomination = Nomination.objects.get(call=call, nominee_email=NOMINEE_EMAIL)
    assert (nomination.nominated_by, nomination.nominee_organisation.name) == (
        nominator,
        NOMINEE_ORG,
    )
    files = {a.kind: a for a in nomination.attachments.all()}
    assert (files["cv"].original_name, files["endorsement"].original_name) == (
        "cv-lucia.pdf",
        "endorsement.pdf",
    )
    # The PDFs are in the S3 bucket, byte for byte.
    assert aws.object_keys() == sorted(a.key for a in files.values())
    assert aws.object_bytes(files["cv"].key) == cv_pdf
    assert aws.object_bytes(files["endorsement"].key) == endorsement_pdf

    # 4. The nominee reads their email, opens the consent link and accepts.
    run_worker()
    request = mail_to(aws, NOMINEE_EMAIL, r"^You have been nominated to the Management Committee")
    nominee = new_page()
    nominee.goto(link_in(request, "/consent/"))
    expect(nominee.get_by_role("main")).to_contain_text(f"{NOMINATOR} has nominated you")
    nominee.get_by_role("radio", name="I accept the nomination").check()
    nominee.get_by_role("button", name="Send my answer").click()
    expect(nominee.get_by_text("Thank you: you accepted.")).to_be_visible()
    expect(nominee.get_by_role("status").filter(has_text="Status:")).to_contain_text("Submitted")
    expect(nominee.get_by_role("button", name="Send my answer")).to_have_count(0)

    # 5. The reviewer finds the nomination in the inbox, takes it and reads the checklist
    # computed from the member roll: every item holds.
    screen_url = open_from_inbox(staff, base, "Screening")
    take_task(staff, screen_url)
    expect(
        staff.get_by_role("heading", name="Eligibility (checked against the member roll)")
    ).to_be_visible()
    checklist = staff.locator("ul.checklist li")
    expect(checklist).to_have_count(8)
    expect(checklist.filter(has_text="No:")).to_have_count(0)
    expect(checklist.filter(has_text="The nominee accepted the nomination")).to_contain_text("Yes:")
    staff.get_by_role("radio", name="Recommend approval").check()
    staff.get_by_label("Note to the committee").fill("Long record in community care.")
    complete(staff, base, nomination)
    expect(staff.get_by_text(f"Screening recorded for {NOMINEE}.")).to_be_visible()
    nomination.refresh_from_db()
    assert (nomination.status, nomination.screened_by) == ("reviewed", reviewer)

    # 6. Four-eyes: the screener, though on the committee, is told why they cannot decide,
    # does not get the decision in their inbox, and its URL refuses them.
    expect(staff.get_by_role("note")).to_contain_text("four-eyes rule")
    expect(staff.get_by_role("link", name=re.compile(r"^Open task"))).to_have_count(0)
    staff.get_by_role("navigation").get_by_role("link", name="My tasks").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("My tasks")
    expect(inbox_row(staff, "Decision")).to_have_count(0)
    task = nomination_open_task(nomination=nomination, node_name="decide")
    decide_url = f"{base}/staff/letters/tasks/{task.pk}/"
    viewflow_url = f"{base}/review/nomination/{task.process_id}/decide/{task.pk}/"
    response = staff.goto(viewflow_url + "assign/")
    assert response is not None and response.status == 403
    expect(staff.get_by_role("alert")).to_contain_text("four-eyes rule")
    assert nomination_open_task(nomination=nomination, node_name="decide").owner_id is None

    # 7. A different committee member approves.
    committee = new_page()
    log_in(committee, base, "approver")
    assert open_from_inbox(committee, base, "Decision") == decide_url
    take_task(committee, decide_url)
    committee.get_by_role("radio", name=re.compile(r"^Approve")).check()
    complete(committee, base, nomination)
    expect(committee.get_by_text(f"Decision recorded for {NOMINEE}.")).to_be_visible()
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decided_by) == ("approved", approver)

    # 8. The Secretariat completes the committee onboarding.
    onboard_url = open_from_inbox(staff, base, "Committee onboarding")
    take_task(staff, onboard_url)
    staff.get_by_role("checkbox", name=re.compile(r"^Send the committee welcome")).check()
    complete(staff, base, nomination)
    expect(staff.get_by_text(f"{NOMINEE} is now on the Management Committee.")).to_be_visible()
    assert Nomination.objects.get(pk=nomination.pk).status == "onboarded"

    # 9. The nominee gets the committee welcome with the meeting calendar.
    run_worker()
    welcome = mail_to(
        aws, NOMINEE_EMAIL, r"^Welcome to the Management Committee of the Global Alliance"
    )
    body = text_of(welcome)
    assert f"Dear {NOMINEE}," in body
    assert "Meeting calendar:" in body
    assert CALENDAR_URL in body

    # 10. The public member directory lists the new committee member.
    page.goto(base + "/members/")
    committee_list = page.get_by_role("region", name="Management Committee")
    expect(committee_list).to_contain_text(f"{NOMINEE}, {POSITION}")
    expect(committee_list.get_by_role("link", name=NOMINEE_ORG)).to_be_visible()
