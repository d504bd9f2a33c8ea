"""Replies that land on the letter (issue 13 item 4): an applicant answers the
"changes requested" email; the ESP posts the reply to anymail's inbound webhook
(as SES through SNS, and as Mailgun, would post it); the reply is matched to the
letter by its signed Reply-To tag, never by its sender, and shown on the letter's
staff page with its attachment. Unsigned or forged mail is kept as unmatched."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from email.message import EmailMessage

import pytest
from django.urls import reverse

from applications import links
from applications.models import LetterReply, ReplyAttachment
from notifications.models import OutboxMessage

from .conftest import AUTH, MAILGUN_SIGNING_KEY, basic_auth

pytestmark = pytest.mark.django_db

SECRETARIAT = "secretariat@alliance-for-care.org"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOSTILE = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def replyable(settings, webhook_secret, make_letter):
    """A letter whose applicant was asked for changes; its email's Reply-To."""
    settings.SECRETARIAT_EMAIL = SECRETARIAT
    settings.INBOUND_REPLIES = True
    letter = make_letter("changes_requested", contact_email="ana@sur.example.org")
    row = OutboxMessage.objects.get(event="letter_changes_requested")
    return letter, row.reply_to


def reply_mime(
    to: str,
    *,
    attachments=(),
    sender="ana@sur.example.org",
    text="Here is the signed letter you asked for.\n\n> On Monday you wrote…",
) -> str:
    message = EmailMessage()
    message["From"] = f"Ana <{sender}>"
    message["To"] = to
    message["Subject"] = "Re: Changes requested on your letter"
    message["Message-ID"] = f"<{uuid.uuid4()}@sur.example.org>"
    message.set_content(text)
    for name, content, ctype in attachments:
        maintype, subtype = ctype.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_string()


def ses_received(raw: str, recipient: str) -> dict:
    """An SES receipt rule's SNS action notification, with the whole message in it."""
    event = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-03-03T09:00:00.000Z",
            "source": "ana@sur.example.org",
            "messageId": "inbound-" + uuid.uuid4().hex,
            "destination": [recipient],
            "headersTruncated": False,
        },
        "receipt": {
            "timestamp": "2026-03-03T09:00:00.000Z",
            "recipients": [recipient],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "action": {
                "type": "SNS",
                "topicArn": "arn:aws:sns:us-east-1:123456789012:alliance-inbound",
                "encoding": "BASE64",
            },
        },
        "content": base64.b64encode(raw.encode()).decode(),
    }
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:alliance-inbound",
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": json.dumps(event),
        "Timestamp": "2026-03-03T09:00:01.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0.pem",
    }


def test_a_signed_reply_through_ses_lands_on_the_letter_with_its_file(
    replyable, post_ses_inbound, client, reviewer, aws
):
    letter, reply_to = replyable
    assert reply_to.startswith("secretariat+l") and reply_to.endswith("@alliance-for-care.org")
    assert reply_to == links.reply_address(letter)
    raw = reply_mime(reply_to, attachments=[("carta firmada.pdf", PDF, "application/pdf")])

    response = post_ses_inbound(ses_received(raw, reply_to))

    assert response.status_code == 200
    reply = LetterReply.objects.get()
    assert reply.letter == letter
    assert reply.match == "signed"
    assert reply.sender == "ana@sur.example.org"
    assert "signed letter you asked for" in reply.body_text
    file = reply.attachments.get()
    assert (file.original_name, file.refused, file.content_type) == (
        "carta firmada.pdf",
        "",
        "application/pdf",
    )
    assert aws.object_bytes(file.key) == PDF

    client.force_login(reviewer)
    page = client.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "Re: Changes requested on your letter" in page
    assert "signed letter you asked for" in page
    assert reverse("review:reply_attachment", args=[file.pk]) in page
    assert f'href="#reply-{reply.pk}"' in page  # in the history too
    download = client.get(reverse("review:reply_attachment", args=[file.pk]))
    assert download.status_code == 302  # the presigned URL of the private bucket
    assert "response-content-disposition=attachment" in download["Location"]
    unmatched = client.get(reverse("review:unmatched_replies")).content.decode()
    assert "signed letter you asked for" not in unmatched


@pytest.mark.parametrize(
    ("to", "match"),
    [
        (SECRETARIAT, "no_tag"),  # unsigned: the plain address
        ("secretariat+l{pk}-0123456789abcdef@alliance-for-care.org", "forged"),
        ("secretariat+l{other}-{digest}@alliance-for-care.org", "forged"),  # A's tag on B
    ],
)
def test_unsigned_or_forged_replies_are_kept_unmatched_on_no_letter(
    replyable, post_ses_inbound, client, reviewer, make_letter, to, match
):
    letter, reply_to = replyable
    other = make_letter("submitted", contact_email="otra@norte.example.org")
    digest = reply_to.split("@")[0].split("-")[-1]
    to = to.format(pk=letter.pk, other=other.pk, digest=digest)
    # The sender is the letter's own contact: that must not be enough.
    response = post_ses_inbound(ses_received(reply_mime(to), to))

    assert response.status_code == 200
    reply = LetterReply.objects.get()
    assert reply.letter is None
    assert reply.match == match
    assert not letter.replies.exists() and not other.replies.exists()
    client.force_login(reviewer)
    unmatched = client.get(reverse("review:unmatched_replies"))
    assert unmatched.status_code == 200
    assert "signed letter you asked for" in unmatched.content.decode()
    page = client.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "signed letter you asked for" not in page


@pytest.mark.parametrize(
    "auth", [None, basic_auth("anymail-user:wrong"), basic_auth("intruder:s3cret-passphrase")]
)
def test_an_inbound_post_without_the_secret_is_refused_and_nothing_stored(
    replyable, post_ses_inbound, auth
):
    _letter, reply_to = replyable
    response = post_ses_inbound(ses_received(reply_mime(reply_to), reply_to), auth=auth)
    assert 400 <= response.status_code < 500
    assert not LetterReply.objects.exists()


def test_without_a_webhook_secret_the_inbound_webhook_is_not_found(
    replyable, post_ses_inbound, settings
):
    _letter, reply_to = replyable
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    response = post_ses_inbound(ses_received(reply_mime(reply_to), reply_to))
    assert response.status_code == 404
    assert not LetterReply.objects.exists()


def test_a_hostile_attachment_is_refused_with_the_reason_and_never_served(
    replyable, post_ses_inbound, client, reviewer, aws
):
    letter, reply_to = replyable
    keys_before = set(aws.object_keys())
    raw = reply_mime(
        reply_to,
        attachments=[
            ("carta.pdf", HOSTILE, "application/pdf"),  # a page dressed as a PDF
            ("firmada.pdf", PDF, "application/pdf"),
        ],
    )
    assert post_ses_inbound(ses_received(raw, reply_to)).status_code == 200

    refused, kept = ReplyAttachment.objects.order_by("pk")
    assert refused.reply.letter == letter
    assert refused.key == ""
    assert "is not a PDF, DOCX or ODT document" in refused.refused
    assert kept.refused == "" and kept.key
    # Only the good file reached the bucket; the page dressed as a PDF did not.
    assert set(aws.object_keys()) - keys_before == {kept.key}
    client.force_login(reviewer)
    assert client.get(reverse("review:reply_attachment", args=[refused.pk])).status_code == 404
    page = client.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "refused, not kept" in page
    assert reverse("review:reply_attachment", args=[refused.pk]) not in page


# -- Mailgun: a route that forwards to the inbound webhook -----------------------


def mailgun_inbound(to: str, *, key: str = MAILGUN_SIGNING_KEY, files=()) -> dict:
    timestamp = str(int(time.time()))
    token = uuid.uuid4().hex + uuid.uuid4().hex[:18]
    signature = hmac.new(
        key=key.encode(), msg=f"{timestamp}{token}".encode(), digestmod=hashlib.sha256
    ).hexdigest()
    data = {
        "recipient": to,
        "sender": "ana@sur.example.org",
        "from": "Ana <ana@sur.example.org>",
        "To": to,
        "subject": "Re: Changes requested on your letter",
        "body-plain": "Here is the signed letter you asked for.",
        "message-headers": json.dumps(
            [["From", "Ana <ana@sur.example.org>"], ["To", to], ["Subject", "Re: Changes"]]
        ),
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        "attachment-count": str(len(files)),
    }
    for number, file in enumerate(files, 1):
        data[f"attachment-{number}"] = file
    return data


@pytest.fixture
def post_mailgun_inbound(client, mounted_esp):
    mounted_esp("mailgun")

    def post(data, *, auth=AUTH):
        return client.post("/anymail/mailgun/inbound/", data=data, headers={"Authorization": auth})

    return post


def test_a_signed_reply_through_mailgun_lands_on_the_letter(replyable, post_mailgun_inbound):
    from django.core.files.uploadedfile import SimpleUploadedFile

    letter, reply_to = replyable
    pdf = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    response = post_mailgun_inbound(mailgun_inbound(reply_to, files=[pdf]))

    assert response.status_code == 200
    reply = LetterReply.objects.get()
    assert (reply.letter, reply.match, reply.esp) == (letter, "signed", "Mailgun")
    assert reply.attachments.get().original_name == "signed.pdf"


def test_mailgun_forged_signature_or_tag(replyable, post_mailgun_inbound):
    letter, reply_to = replyable
    # Mailgun's own signature made with another key: refused, nothing stored.
    response = post_mailgun_inbound(mailgun_inbound(reply_to, key="key-of-someone-else"))
    assert response.status_code == 400
    assert not LetterReply.objects.exists()
    # A well-signed post to a forged tag: kept, unmatched.
    forged = reply_to.replace(reply_to.split("@")[0].split("-")[-1], "f" * 16)
    assert post_mailgun_inbound(mailgun_inbound(forged)).status_code == 200
    assert LetterReply.objects.get().letter is None
    assert not letter.replies.exists()


def test_only_the_applicants_emails_carry_the_signed_reply_address(settings, make_letter):
    settings.SECRETARIAT_EMAIL = SECRETARIAT
    settings.INBOUND_REPLIES = True
    letter = make_letter("submitted", contact_email="ana@sur.example.org")
    rows = {row.audience: row.reply_to for row in OutboxMessage.objects.all()}
    assert rows == {"applicant": links.reply_address(letter), "Secretariat": ""}
    # Another letter's tag differs; a changed public id (a restored copy) invalidates it.
    other = make_letter("submitted", contact_email="otra@norte.example.org")
    assert links.reply_address(other) != links.reply_address(letter)
    ((kind, pk, digest),) = links.reply_tags([links.reply_address(letter).upper()])
    assert (kind, pk) == ("letter", letter.pk) and links.reply_tag_valid(letter, digest)
    letter.public_id = other.public_id
    assert not links.reply_tag_valid(letter, digest)
    settings.INBOUND_REPLIES = False
    make_letter("submitted", contact_email="tres@este.example.org")
    assert OutboxMessage.objects.get(recipient="tres@este.example.org").reply_to == SECRETARIAT


@pytest.mark.parametrize("broken", ["no-content", "message-not-json"])
def test_a_malformed_inbound_post_is_refused_with_4xx_and_nothing_stored(
    replyable, post_ses_inbound, broken
):
    _letter, reply_to = replyable
    body = ses_received(reply_mime(reply_to), reply_to)
    event = json.loads(body["Message"])
    del event["content"]
    body["Message"] = "{not json" if broken == "message-not-json" else json.dumps(event)
    response = post_ses_inbound(body)
    assert 400 <= response.status_code < 500
    assert not LetterReply.objects.exists()
