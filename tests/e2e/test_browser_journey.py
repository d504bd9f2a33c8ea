"""In a real browser: an applicant switches to Spanish, sends a letter with a signed
PDF, sees the Spanish confirmation; the PDF is in the S3 bucket; a reviewer logs in
and finds the letter in the viewflow queue.

Runs against pytest-django's live server (a real HTTP server in a thread, sharing
the test database) with moto's S3 and SES from ``tests/conftest.py``.
"""

import hashlib
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from applications.choices import PriorityArea
from applications.letters.forms import LetterForm
from applications.models import Letter

from ..files import pdf_bytes

# live_server makes the test transactional; conftest's _staff_groups restores
# the staff groups that the flush of an earlier transactional test removed.
pytestmark = pytest.mark.e2e

ORGANISATION = "Red Comunitaria de Cuidados del Valle"


def es(text) -> str:
    """``text`` as the Spanish UI shows it (the English msgid while untranslated)."""
    with translation.override("es"):
        return str(translation.gettext(text))


def spanish_label(field_name) -> str:
    with translation.override("es"):
        return str(LetterForm().fields[field_name].label)


def by_label(page, field_name):
    """A form control found by its visible label, as a person would find it."""
    label = spanish_label(field_name)
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$"))


def test_applicant_sends_letter_in_spanish_and_reviewer_finds_it(
    live_server, page, new_page, aws, reviewer, tmp_path
):
    # 1. The applicant arrives in English and switches to Spanish with the header's switch.
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Español")).to_have_attribute("aria-current", "true")

    # 2. ... and opens the letter form from the main navigation.
    page.get_by_role("navigation").get_by_role("link", name=es("Apply to join")).click()
    expect(page).to_have_url(re.compile(r"/apply/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        es("Letter of expression of interest")
    )
    # Country names come translated from django-countries: Spanish, whatever our catalog holds.
    expect(by_label(page, "country").locator("option[value=MX]")).to_have_text("México")

    # 3. Every required field, and a signed letter.
    signed = tmp_path / "carta-firmada.pdf"
    pdf = pdf_bytes("Carta de interes firmada")
    signed.write_bytes(pdf)

    by_label(page, "organisation_name").fill(ORGANISATION)
    by_label(page, "constituency").select_option("grassroots_women")
    by_label(page, "country").select_option("MX")
    by_label(page, "contact_name").fill("Rosa Hernández")
    by_label(page, "contact_role").fill("Coordinadora general")
    by_label(page, "contact_email").fill("rosa@valle.example.org")
    page.get_by_role("radio", name="Español").check()
    by_label(page, "care_work").fill("Cuidado comunitario de personas mayores en zonas rurales.")
    by_label(page, "motivation").fill("Queremos aprender de otras redes y compartir lo nuestro.")
    with translation.override("es"):
        area = str(PriorityArea.KNOWLEDGE_DATA.label)
    page.get_by_role("checkbox", name=area).check()
    by_label(page, "signed_letter").set_input_files(signed)
    by_label(page, "consent_privacy").check()

    page.get_by_role("button", name=es("Send the letter")).click()

    # 4. The Spanish confirmation page.
    expect(page).to_have_url(re.compile(r"/letters/[^/]+/received/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(es("Thank you: we have received your letter"))
    if es("Thank you: we have received your letter") == "Thank you: we have received your letter":
        # Not translated yet: at least the page is the Spanish one and names the letter.
        expect(page.get_by_role("button", name="Español")).to_have_attribute("aria-current", "true")
    else:
        expect(heading).not_to_have_text("Thank you: we have received your letter")
    expect(page.get_by_role("main")).to_contain_text(ORGANISATION)
    expect(page.get_by_role("main")).to_contain_text("rosa@valle.example.org")
    expect(page.get_by_role("link", name=es("Follow the status of the letter"))).to_be_visible()

    # 5. The letter is stored as typed, and its PDF is in the S3 bucket, byte for byte.
    letter = Letter.objects.get(organisation_name=ORGANISATION)
    assert letter.status == "submitted"
    assert (letter.constituency, letter.country.code, letter.language) == (
        "grassroots_women",
        "MX",
        "es",
    )
    assert letter.priority_areas == [PriorityArea.KNOWLEDGE_DATA]
    assert letter.consent_privacy is True
    assert letter.consent_public_listing is False
    attachment = letter.attachments.get()
    assert attachment.original_name == "carta-firmada.pdf"
    assert aws.object_keys() == [attachment.key]
    assert aws.object_bytes(attachment.key) == pdf
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()

    # 6. A reviewer, in their own browser, logs in through the staff login page...
    staff = new_page()
    staff.goto(live_server.url + "/accounts/login/")
    staff.locator("input[name=username]").fill("reviewer")
    staff.locator("input[name=password]").fill("pw-reviewer")
    staff.locator("form").filter(has=staff.locator("input[name=password]")).locator(
        "[type=submit]"
    ).click()
    expect(staff).to_have_url(re.compile(r"/staff/letters/tasks/$"))

    # 7. ... and finds the new letter waiting in their tasks.
    response = staff.goto(live_server.url + "/staff/letters/tasks/")
    assert response is not None and response.status == 200
    expect(staff.get_by_text(ORGANISATION)).to_be_visible()
