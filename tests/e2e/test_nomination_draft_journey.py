"""In a real browser with JavaScript off (issue 13): a member saves a half-filled
nomination with the nominee's CV, closes the browser, follows the link emailed to its
contact, finds every answer and the CV, adds the endorsement and sends it; the nominee
is asked to consent only then, and nobody on the staff heard of the draft."""

import re

import pytest
from playwright.sync_api import expect

from applications.links import nominate_url
from applications.models import LetterDraft, Nomination

from .. import factories
from ..files import pdf_bytes
from .test_nomination_journey import field, link_in, mail_to

pytestmark = pytest.mark.e2e

NOMINEE = "Lucía Quispe Mamani"
NOMINEE_EMAIL = "lucia@cuidados-sur.example.org"


def test_a_saved_nomination_is_resumed_from_the_emailed_link_and_sent(
    live_server, new_context, aws, run_worker, reviewer, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    call = factories.call()
    nominator = factories.member(
        name="Red Andina de Cuidados",
        contact_email="contacto@red-andina.example.org",
        language="en",  # its contact reads English: the resume link comes in English
    )
    factories.member(name="Cuidados Comunitarios del Sur")
    cv, endorsement = tmp_path / "cv-lucia.pdf", tmp_path / "aval.pdf"
    cv.write_bytes(pdf_bytes("Curriculum vitae"))
    endorsement.write_bytes(pdf_bytes("We endorse her"))

    first = new_context(java_script_enabled=False).new_page()
    first.goto(nominate_url(call, nominator))
    field(first, "Nominee's full name").fill(NOMINEE)
    field(first, "Member organisation the nominee belongs to").select_option(
        label="Cuidados Comunitarios del Sur"
    )
    first.get_by_role("radio", name="English").check()
    field(first, "Nominee's CV").set_input_files(cv)
    first.get_by_role("button", name="Save and continue later").click()
    expect(first).to_have_url(re.compile(r"/nominate/draft/[^/]+/$"))
    expect(first.get_by_role("status").filter(has_text="Your nomination is saved")).to_contain_text(
        "Red Andina de Cuidados"
    )
    assert not Nomination.objects.exists() and LetterDraft.objects.count() == 1
    first.context.close()

    run_worker()
    saved = mail_to(aws, "contacto@red-andina.example.org", r"^Your nomination is saved")
    link = link_in(saved, "/nominate/draft/")
    assert not [m for m in aws.sent() if reviewer.email in m["To"] or NOMINEE_EMAIL in m["To"]]

    again = new_context(java_script_enabled=False).new_page()
    again.goto(link)
    expect(field(again, "Nominee's full name")).to_have_value(NOMINEE)
    expect(again.get_by_role("radio", name="English")).to_be_checked()
    expect(again.get_by_role("checkbox", name=re.compile("cv-lucia.pdf"))).to_be_checked()
    field(again, "Nominee's e-mail").fill(NOMINEE_EMAIL)
    field(again, "Nominee's position").fill("Coordinator")
    field(again, "Constituency of the seat").select_option("civil_society")
    field(again, "Statement of motivation").fill("Fifteen years of community care.")
    field(again, "Endorsement letter from your organisation").set_input_files(endorsement)
    again.get_by_role("button", name="Send the nomination").click()
    expect(again).to_have_url(re.compile(r"/nominations/[^/]+/$"))

    nomination = Nomination.objects.get()
    assert nomination.nominated_by == nominator and nomination.nominee_name == NOMINEE
    files = {a.kind: aws.object_bytes(a.key) for a in nomination.attachments.all()}
    assert files == {
        "cv": pdf_bytes("Curriculum vitae"),
        "endorsement": pdf_bytes("We endorse her"),
    }
    assert not LetterDraft.objects.exists()
    run_worker()
    mail_to(aws, NOMINEE_EMAIL, r"^You have been nominated to the Management Committee")
