"""In a real browser, the onboarding journey of issue 6: an approved organisation
opens the link of its approval email, completes its checklist (after one refused
attempt without the brand manual), and then appears in the public directory with
the profile it confirmed; the link afterwards only says that onboarding is done.

Runs against pytest-django's live server with moto's S3 and SES from
``tests/conftest.py``; the letter starts from the real services (``make_letter``).
"""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Letter
from notifications.models import OutboxMessage
from tests.access_world import onboarding_document

pytestmark = pytest.mark.e2e

ORGANISATION = "Red de Cuidados de la Sierra"
DIRECTORY_NAME = "Red Serrana de Cuidados Comunitarios"
DESCRIPTION = "Community care centres for children and older people in 12 mountain villages."
WEBSITE = "https://red-serrana.example.org"
CONTACTS = ["Coordinacion@Red-Serrana.example.org", "prensa@red-serrana.example.org"]
COMMUNITY = "Care data and statistics"
BRAND_MANUAL = "We have received the brand manual and will follow it"
ONBOARDING_URL = re.compile(r"http://testserver(/members/onboarding/[^/\s]+/)")


def onboarding_path(letter) -> str:
    """The onboarding link of the applicant's approval email, as a path."""
    mail = OutboxMessage.objects.get(
        event="letter_approved", audience="applicant", object_id=letter.pk
    )
    found = ONBOARDING_URL.search(mail.body_text)
    assert found, f"no onboarding link in the approval email:\n{mail.body_text}"
    return found.group(1)


def directory_row(page, name):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def test_approved_organisation_completes_checklist_and_is_listed(live_server, page, make_letter):
    onboarding_document()  # the Secretariat uploaded the brand manual (issue 13)
    base = live_server.url
    letter = make_letter("approved", organisation_name=ORGANISATION, consent_public_listing=False)
    assert letter.status == "approved"
    onboarding_url = base + onboarding_path(letter)

    # 1. Before onboarding, the public directory does not list the organisation.
    page.goto(base + "/members/")
    expect(page.get_by_role("heading", name="Member organisations")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).not_to_contain_text(ORGANISATION)
    expect(main).not_to_contain_text(DIRECTORY_NAME)

    # 2. The new member opens the link of its approval email: the checklist,
    # filled with what the letter said (no consent to be listed yet).
    page.goto(onboarding_url)
    expect(page.get_by_role("heading", name="Welcome! Your onboarding checklist")).to_be_visible()
    name = page.get_by_label("Name of the organisation in the directory")
    description = page.get_by_label("Short description for the directory")
    website = page.get_by_label("Website")
    listing = page.get_by_role(
        "checkbox", name="List our organisation in the public member directory"
    )
    brand_manual = page.get_by_role("checkbox", name=re.compile(re.escape(BRAND_MANUAL)))
    contacts = page.get_by_label("Who should receive the Alliance's mail?")
    community = page.get_by_role("checkbox", name=COMMUNITY, exact=True)
    submit = page.get_by_role("button", name="Complete onboarding")
    expect(name).to_have_value(ORGANISATION)
    expect(listing).not_to_be_checked()
    expect(brand_manual).not_to_be_checked()
    expect(contacts).to_have_value(letter.contact_email)

    # 3. It fills the profile but forgets the brand manual: refused, nothing lost.
    name.fill(DIRECTORY_NAME)
    description.fill(DESCRIPTION)
    website.fill(WEBSITE)
    listing.check()
    contacts.fill("\n".join(CONTACTS))
    community.check()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        submit.click()
    assert posted.value.status == 400
    brand_field = page.locator(".field").filter(has=brand_manual)
    expect(brand_field.locator(".errorlist")).to_have_text("This field is required.")
    expect(page.get_by_role("heading", name="Onboarding complete")).to_have_count(0)
    expect(description).to_have_value(DESCRIPTION)
    expect(name).to_have_value(DIRECTORY_NAME)
    expect(website).to_have_value(WEBSITE)
    expect(listing).to_be_checked()
    expect(contacts).to_have_value("\n".join(CONTACTS))
    expect(community).to_be_checked()
    assert Letter.objects.get(pk=letter.pk).status == "approved"

    # 4. It ticks the brand manual and completes the checklist.
    brand_manual.check()
    submit.click()
    expect(page).to_have_url(onboarding_url)
    expect(page.get_by_role("heading", name="Onboarding complete")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(
        f"{DIRECTORY_NAME} is a member of the Global Alliance for Care."
    )
    letter = Letter.objects.select_related("organisation").get(pk=letter.pk)
    assert letter.status == "onboarded"
    organisation = letter.organisation
    assert (organisation.name, organisation.description, organisation.website) == (
        DIRECTORY_NAME,
        DESCRIPTION,
        WEBSITE,
    )
    assert organisation.public_listing and organisation.member_since is not None
    checklist = letter.onboarding
    assert checklist.brand_manual_acknowledged
    assert checklist.contacts == [address.lower() for address in CONTACTS]
    assert checklist.communities == ["data"]

    # 5. The public directory now lists the new name (not the old one), and its
    # member page shows the description.
    page.goto(base + "/members/")
    row = directory_row(page, DIRECTORY_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Civil society organisation")
    expect(page.get_by_role("main")).not_to_contain_text(ORGANISATION)
    row.get_by_role("link", name=DIRECTORY_NAME, exact=True).click()
    expect(page).to_have_url(f"{base}/members/{organisation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{DIRECTORY_NAME} (RC)")
    expect(page.get_by_role("main")).to_contain_text(DESCRIPTION)
    expect(page.get_by_role("link", name=WEBSITE)).to_have_attribute("href", WEBSITE)

    # 6. The onboarding link, opened again, says it is done and offers no form.
    response = page.goto(onboarding_url)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Onboarding complete")).to_be_visible()
    expect(page.get_by_role("button", name="Complete onboarding")).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)
    page.get_by_role("link", name="See your page in the member directory").click()
    expect(page).to_have_url(f"{base}/members/{organisation.pk}/")
