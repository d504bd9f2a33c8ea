"""In a real browser (issue 14): a member contact asks for its link, changes its
description and logo, adds a communications contact, and the directory shows the
change; the Secretariat suspends the member from its staff page (it leaves the
directory) and restores it.

Runs against pytest-django's live server with moto's S3 and SES.
"""

import re
from io import BytesIO

import pytest
from playwright.sync_api import expect

from applications.models import MemberContact, Organisation
from notifications.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.e2e


def png() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (240, 120), (91, 42, 134)).save(out, format="PNG")
    return out.getvalue()


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/staff/letters/tasks/$"))


def test_a_member_edits_its_page_and_the_secretariat_suspends_and_restores_it(
    live_server, page, new_page, aws, reviewer
):
    base = live_server.url
    member = factories.member(
        name="Red de Cuidadoras del Sur",
        contact_email="focal@red-sur.example.org",
        language="en",
        public_listing=True,
    )

    # 1. The focal point asks for its link.
    page.goto(base + "/members/link/")
    page.get_by_label(re.compile("Your e-mail address")).fill("focal@red-sur.example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("we have sent it a private link")
    mail = OutboxMessage.objects.get(event="member_link")
    link = re.search(r"http\S+/members/self/\S+/", mail.body_text).group(0)
    path = link.split("/members/", 1)[1]

    # 2. Through it: a new description and logo.
    page.goto(f"{base}/members/{path}")
    expect(page.get_by_role("heading", name="Red de Cuidadoras del Sur")).to_be_visible()
    page.get_by_label("Description in English").fill("Community carers across the south.")
    page.get_by_label(re.compile("New logo")).set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": png()}
    )
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your directory profile is saved.")

    # 3. A communications contact.
    page.get_by_label(re.compile(r"^Name")).fill("Lucía Vera")
    page.get_by_label(re.compile(r"^Role")).select_option("communications")
    page.get_by_label(re.compile(r"^E-mail address")).fill("prensa@red-sur.example.org")
    page.get_by_label(re.compile(r"^Language of the emails")).select_option("es")
    page.get_by_role("button", name="Add the contact").click()
    expect(page.get_by_role("status")).to_contain_text("The contact is added.")
    expect(page.get_by_role("cell", name="prensa@red-sur.example.org", exact=True)).to_be_visible()
    assert MemberContact.objects.filter(
        organisation=member, role="communications", email="prensa@red-sur.example.org"
    ).exists()

    # 4. The directory shows the change.
    visitor = new_page()
    visitor.goto(base + "/members/?q=cuidadoras del sur")
    visitor.get_by_role("link", name="Red de Cuidadoras del Sur").click()
    expect(visitor.get_by_text("Community carers across the south.")).to_be_visible()
    logo = visitor.get_by_role("img", name=re.compile("Logo of Red de Cuidadoras"))
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.naturalWidth") > 0

    # 5. The Secretariat suspends the member: it leaves the directory.
    staff = new_page()
    log_in(staff, base, "reviewer")
    staff.goto(f"{base}/staff/letters/members/{member.pk}/")
    expect(staff.get_by_role("cell", name="prensa@red-sur.example.org", exact=True)).to_be_visible()
    staff.get_by_label("Reason (the member reads it)").first.fill("Datos por revisar")
    staff.get_by_role("button", name="Suspend the membership").click()
    expect(staff.get_by_role("status")).to_contain_text("the member has been told by email")
    expect(staff.locator(".membership-status")).to_have_text("Suspended")
    assert Organisation.objects.get(pk=member.pk).membership_status == "suspended"
    assert OutboxMessage.objects.filter(event="member_suspended").count() == 1
    response = visitor.goto(f"{base}/members/{member.pk}/")
    assert response.status == 404

    # 6. ... and restores it: back in the directory.
    staff.get_by_role("button", name="Restore the membership").click()
    expect(staff.locator(".membership-status")).to_have_text("Active")
    visitor.goto(base + "/members/?q=cuidadoras")
    expect(visitor.get_by_role("link", name="Red de Cuidadoras del Sur")).to_be_visible()
