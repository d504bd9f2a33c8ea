"""In a real browser (issue 13): a French visitor who keeps the form's defaults saves a
half-filled letter with a PDF, closes the browser, follows the emailed link, finds every
field and the file, sends the letter, and it is in the screening queue; every email is in
French. The privacy notice is one click from the consent, in a new tab."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from applications.choices import PriorityArea
from applications.letters.forms import LetterForm
from applications.models import DraftFile, Letter, LetterDraft
from review.selectors import letter_open_task

from ..conftest import subject_of, text_of
from ..files import pdf_bytes

pytestmark = pytest.mark.e2e

ORGANISATION = "Collectif des aidantes du Sahel"
EMAIL = "awa@sahel.example.org"


def t(language, text) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


def by_label(page, language, field_name):
    with translation.override(language):
        label = str(LetterForm().fields[field_name].label)
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$"))


def mails_to(aws, address):
    return [message for message in aws.sent() if address in message["To"]]


def test_a_saved_letter_is_resumed_from_the_emailed_link_and_sent(
    live_server, page, new_page, aws, run_worker, reviewer, settings, tmp_path
):
    settings.SITE_URL = live_server.url  # the emailed link points at the live server
    page.goto(live_server.url + "/apply/")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # The privacy notice, one click from the consent, opens in a new tab: nothing typed is lost.
    with page.expect_popup() as popup:
        page.get_by_role("link", name=re.compile(t("fr", "the privacy notice"))).click()
    notice = popup.value
    expect(notice.get_by_role("heading", level=1)).to_have_text(t("fr", "Privacy notice"))
    expect(notice.get_by_role("main")).to_contain_text(settings.SECRETARIAT_EMAIL)
    notice.close()

    # Half the letter and a PDF; the preferred language is left as the form set it.
    pdf = pdf_bytes("Lettre signee du Collectif")
    signed = tmp_path / "lettre-signee.pdf"
    signed.write_bytes(pdf)
    by_label(page, "fr", "organisation_name").fill(ORGANISATION)
    by_label(page, "fr", "contact_name").fill("Awa Diallo")
    by_label(page, "fr", "contact_email").fill(EMAIL)
    by_label(page, "fr", "care_work").fill("Nous soutenons les aidantes familiales au Sahel.")
    by_label(page, "fr", "signed_letter").set_input_files(signed)
    expect(page.get_by_role("radio", name="Français")).to_be_checked()
    page.get_by_role("button", name=t("fr", "Save and continue later")).click()

    expect(page).to_have_url(re.compile(r"/apply/draft/[^/]+/$"))
    expect(page.get_by_role("status")).to_contain_text(EMAIL)
    assert Letter.objects.count() == 0
    draft = LetterDraft.objects.get()
    assert draft.language == "fr" and DraftFile.objects.count() == 1
    page.context.close()  # the tab, and the browser with it, is closed

    # The email (French, as the visitor left the default) carries the link.
    run_worker()
    (saved,) = mails_to(aws, EMAIL)
    assert subject_of(saved) == t(
        "fr", "Your letter of interest is saved: continue it when you are ready"
    )
    assert saved["Reply-To"] == settings.SECRETARIAT_EMAIL
    link = re.search(r"https?://\S+/apply/draft/[^/\s]+/", text_of(saved)).group(0)

    # Another browser, the link: every field and the file are there.
    again = new_page()
    again.goto(link)
    expect(again.locator("html")).to_have_attribute("lang", "en")
    expect(by_label(again, "en", "organisation_name")).to_have_value(ORGANISATION)
    expect(by_label(again, "en", "contact_name")).to_have_value("Awa Diallo")
    expect(by_label(again, "en", "contact_email")).to_have_value(EMAIL)
    expect(by_label(again, "en", "care_work")).to_have_value(
        "Nous soutenons les aidantes familiales au Sahel."
    )
    expect(again.get_by_role("radio", name="Français")).to_be_checked()
    kept = again.get_by_role("checkbox", name=re.compile("lettre-signee.pdf"))
    expect(kept).to_be_checked()

    # The rest, and send.
    by_label(again, "en", "constituency").select_option("caregivers")
    by_label(again, "en", "country").select_option("SN")
    by_label(again, "en", "contact_role").fill("Coordinatrice")
    by_label(again, "en", "motivation").fill("Apprendre des autres réseaux de l'Alliance.")
    again.get_by_role("checkbox", name=str(PriorityArea.EXPERIENCE_EXCHANGE.label)).check()
    by_label(again, "en", "consent_privacy").check()
    again.get_by_role("button", name="Send the letter").click()
    expect(again).to_have_url(re.compile(r"/letters/[^/]+/received/$"))

    letter = Letter.objects.get()
    assert (letter.organisation_name, letter.language, letter.status) == (
        ORGANISATION,
        "fr",
        "submitted",
    )
    attachment = letter.attachments.get()
    assert attachment.original_name == "lettre-signee.pdf"
    assert aws.object_bytes(attachment.key) == pdf
    assert letter_open_task(letter=letter, node_name="screen") is not None
    assert LetterDraft.objects.count() == 0
    # The draft's own copy of the file went with the draft.
    assert aws.object_keys() == [attachment.key]

    # ... and the reviewer finds it in the queue; the applicant's receipt is in French.
    run_worker()
    receipt = [m for m in mails_to(aws, EMAIL) if m is not saved][-1]
    assert subject_of(receipt) == t("fr", "We have received your letter of interest")
    staff = new_page()
    staff.goto(live_server.url + "/accounts/login/")
    staff.locator("input[name=username]").fill("reviewer")
    staff.locator("input[name=password]").fill("pw-reviewer")
    staff.locator("form").filter(has=staff.locator("input[name=password]")).locator(
        "[type=submit]"
    ).click()
    expect(staff).to_have_url(re.compile(r"/staff/letters/tasks/$"))
    staff.goto(live_server.url + "/review/letter/queue/")
    expect(staff.get_by_text(ORGANISATION)).to_be_visible()
