"""In a real browser (issue 13): the applicant answers the "changes requested" email.
The reply is posted to the inbound webhook as SES (through SNS) and as Mailgun would
post it; the reviewer logs in and finds both on the letter's staff page, the file
downloadable. A forged and an unsigned reply land in the unmatched list, on no letter.

The posts go over HTTP to the live server, with the webhook secret, as the ESPs send
them; the letter and its email come from the real services and the real outbox."""

import re

import pytest
import requests
from playwright.sync_api import expect

from applications.models import LetterReply
from tests.notifications.conftest import AUTH, MAILGUN_SIGNING_KEY, WEBHOOK_SECRET
from tests.notifications.test_inbound import PDF, mailgun_inbound, reply_mime, ses_received

from ..conftest import subject_of
from .test_changes_loop import log_in

pytestmark = pytest.mark.e2e

APPLICANT = "ana@sur.example.org"
SECRETARIAT = "secretariat@alliance-for-care.org"


def post_ses(base: str, body: dict) -> requests.Response:
    import json

    return requests.post(
        f"{base}/anymail/amazon_ses/inbound/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "text/plain; charset=UTF-8",
            "x-amz-sns-message-type": body["Type"],
            "x-amz-sns-message-id": body["MessageId"],
            "x-amz-sns-topic-arn": body["TopicArn"],
            "Authorization": AUTH,
        },
        timeout=30,
    )


def post_mailgun(base: str, to: str, *, body_text: str, files=()) -> requests.Response:
    data = mailgun_inbound(to)
    data["body-plain"] = body_text
    data["attachment-count"] = str(len(files))
    return requests.post(
        f"{base}/anymail/mailgun/inbound/",
        data=data,
        files={f"attachment-{n}": file for n, file in enumerate(files, 1)},
        headers={"Authorization": AUTH},
        timeout=30,
    )


def test_replies_posted_as_ses_and_mailgun_appear_on_the_letters_staff_page(
    live_server, page, make_letter, reviewer, settings, aws, run_worker, mounted_esp, tmp_path
):
    base = live_server.url
    settings.SECRETARIAT_EMAIL = SECRETARIAT
    settings.INBOUND_REPLIES = True
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_SIGNING_KEY,
    }
    letter = make_letter(
        "changes_requested", contact_email=APPLICANT, organisation_name="Red Sur", language="en"
    )
    run_worker()
    [asked] = [m for m in aws.sent() if APPLICANT in m["To"] and "change" in subject_of(m).lower()]
    reply_to = str(asked["Reply-To"]).strip()
    assert reply_to.startswith("secretariat+l")

    # SES, through SNS: the signed reply with the signed letter attached.
    raw = reply_mime(reply_to, attachments=[("carta firmada.pdf", PDF, "application/pdf")])
    assert post_ses(base, ses_received(raw, reply_to)).status_code == 200
    # A forged tag and the plain address, sent by the letter's own contact.
    forged = reply_to.replace(reply_to.split("@")[0].split("-")[-1], "0" * 16)
    forged_raw = reply_mime(forged, text="FORGED reply")
    assert post_ses(base, ses_received(forged_raw, forged)).status_code == 200
    unsigned = reply_mime(SECRETARIAT, text="UNSIGNED reply")
    assert post_ses(base, ses_received(unsigned, SECRETARIAT)).status_code == 200

    # Mailgun, as a route forwarding to the inbound webhook.
    mounted_esp("mailgun")
    response = post_mailgun(
        base,
        reply_to,
        body_text="Mailgun copy: the annex as well.",
        files=[("anexo.pdf", PDF, "application/pdf")],
    )
    assert response.status_code == 200
    assert post_mailgun(base, SECRETARIAT, body_text="UNSIGNED by Mailgun").status_code == 200
    assert letter.replies.count() == 2 and LetterReply.objects.filter(letter=None).count() == 3

    # The reviewer logs in and reads them on the letter's page, with the files.
    log_in(page, base, "reviewer")
    page.goto(f"{base}/staff/letters/{letter.pk}/")
    replies = page.locator("ul.replies")
    expect(replies).to_contain_text("Here is the signed letter you asked for.")
    expect(replies).to_contain_text("Mailgun copy: the annex as well.")
    for text in ("FORGED reply", "UNSIGNED reply", "UNSIGNED by Mailgun"):
        expect(page.locator("main")).not_to_contain_text(text)
    expect(page.locator("ol.history")).to_contain_text("reply received")
    link = replies.get_by_role("link", name="carta firmada.pdf")
    expect(link).to_be_visible()
    expect(replies.get_by_role("link", name="anexo.pdf")).to_be_visible()
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PDF

    # The forged and unsigned ones are in the unmatched list.
    page.goto(f"{base}/staff/letters/replies/unmatched/")
    main = page.locator("main")
    for text in ("FORGED reply", "UNSIGNED reply", "UNSIGNED by Mailgun"):
        expect(main).to_contain_text(text)
    expect(main).not_to_contain_text("Mailgun copy: the annex as well.")
    assert re.search(r"secretariat\+l\d+-0{16}@", main.inner_text())
