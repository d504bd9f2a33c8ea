"""Fixtures of the outbox tests: a sent email to report on, and the ESPs' webhook
payloads as they post them (Amazon SES through SNS, Mailgun), built from the
examples in the ESPs' and anymail's documentation."""

import base64
import hashlib
import hmac
import json
import uuid

import pytest
from django.forms.models import model_to_dict

from notifications.models import OutboxMessage
from notifications.outbox import send_outbox_message

WEBHOOK_SECRET = "anymail-user:s3cret-passphrase"
MAILGUN_SIGNING_KEY = "key-mailgun-webhook-signing-test"


@pytest.fixture
def webhook_secret(settings, aws):
    """The webhook secret on top of the moto SES settings of the ``aws`` fixture."""
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_SIGNING_KEY,
    }
    return WEBHOOK_SECRET


def basic_auth(secret: str = WEBHOOK_SECRET) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


AUTH = basic_auth()


@pytest.fixture
def sent_email(make_letter, aws):
    """The applicant's 'letter received' email, sent through moto SES: its row has
    the real SES message id that SES's reports will carry."""
    letter = make_letter("submitted", contact_email="bounce-me@org.example.org")
    message = OutboxMessage.objects.get(recipient="bounce-me@org.example.org")
    assert send_outbox_message.call(message.pk) == "sent"
    message.refresh_from_db()
    assert message.esp_message_id
    message.letter = letter
    return message


def snapshot(message) -> dict:
    """Every field of the row as stored now, to prove a refused webhook changed nothing."""
    return model_to_dict(OutboxMessage.objects.get(pk=message.pk))


# -- Amazon SES, through an SNS topic subscribed to the tracking webhook -------


def ses_bounce(message_id: str, recipient: str) -> dict:
    """An SES event-publishing 'Bounce', shaped as in AWS's SES developer guide examples."""
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": recipient,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": f"smtp; 550 5.1.1 <{recipient}>... User unknown",
                }
            ],
            "timestamp": "2026-03-02T10:15:44.101Z",
            "feedbackId": "0100017f-aaaa-bbbb-cccc-ddddeeee0000-000000",
            "reportingMTA": "dsn; e226-55.smtp-out.us-east-1.amazonses.com",
        },
        "mail": _ses_mail(message_id, recipient),
    }


def ses_delivery(message_id: str, recipient: str) -> dict:
    return {
        "eventType": "Delivery",
        "mail": _ses_mail(message_id, recipient),
        "delivery": {
            "timestamp": "2026-03-02T10:15:39.237Z",
            "processingTimeMillis": 546,
            "recipients": [recipient],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": "e226-55.smtp-out.us-east-1.amazonses.com",
        },
    }


def ses_complaint(message_id: str, recipient: str) -> dict:
    return {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": recipient}],
            "timestamp": "2026-03-02T11:00:00.000Z",
            "feedbackId": "0100017f-cccc-0000-1111-222233334444-000000",
            "userAgent": "Mozilla/5.0 (compatible; FBL)",
            "complaintFeedbackType": "abuse",
            "arrivalDate": "2026-03-02T10:59:59.000Z",
        },
        "mail": _ses_mail(message_id, recipient),
    }


def ses_reject(message_id: str, recipient: str) -> dict:
    return {
        "eventType": "Reject",
        "mail": _ses_mail(message_id, recipient),
        "reject": {"reason": "Bad content"},
    }


def _ses_mail(message_id: str, recipient: str) -> dict:
    return {
        "timestamp": "2026-03-02T10:15:38.012Z",
        "source": "Global Alliance for Care <no-reply@alliance-for-care.org>",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/alliance-for-care.org",
        "sendingAccountId": "123456789012",
        "messageId": message_id,
        "destination": [recipient],
        "headersTruncated": False,
        "headers": [
            {"name": "From", "value": "Global Alliance for Care <no-reply@alliance-for-care.org>"},
            {"name": "To", "value": recipient},
            {"name": "Subject", "value": "We received your letter"},
        ],
        "commonHeaders": {
            "from": ["Global Alliance for Care <no-reply@alliance-for-care.org>"],
            "to": [recipient],
            "subject": "We received your letter",
        },
        "tags": {"ses:configuration-set": ["alliance-events"]},
    }


def sns_notification(ses_event: dict, *, timestamp: str = "2026-03-02T10:15:45.675Z") -> dict:
    """The SNS HTTP(S) 'Notification' that wraps an SES event."""
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:alliance-ses-events",
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(ses_event),
        "Timestamp": timestamp,
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQ==",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"
        "&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:alliance-ses-events:0000",
    }


@pytest.fixture
def post_sns(client):
    """POST as SNS does: JSON as text/plain, type and id repeated in x-amz-sns-* headers."""

    def post(body, *, auth=AUTH, message_type=None, message_id=None):
        if isinstance(body, dict):
            message_type = message_type or body.get("Type")
            message_id = message_id or body.get("MessageId")
            body = json.dumps(body)
        headers = {
            "x-amz-sns-message-type": message_type or "Notification",
            "x-amz-sns-message-id": message_id or str(uuid.uuid4()),
            "x-amz-sns-topic-arn": "arn:aws:sns:us-east-1:123456789012:alliance-ses-events",
        }
        if auth:
            headers["Authorization"] = auth
        return client.post(
            "/anymail/amazon_ses/tracking/",
            data=body,
            # As SNS sends it; the test client re-encodes a str body for "UTF-8",
            # so raw bytes go with the spelling it passes through untouched.
            content_type="text/plain; charset=" + ("utf-8" if isinstance(body, bytes) else "UTF-8"),
            headers=headers,
        )

    return post


@pytest.fixture
def post_ses_inbound(client):
    """POST an SES receipt's SNS notification to the inbound webhook, as SNS does."""

    def post(body: dict, *, auth=AUTH):
        headers = {
            "x-amz-sns-message-type": body["Type"],
            "x-amz-sns-message-id": body["MessageId"],
            "x-amz-sns-topic-arn": body["TopicArn"],
        }
        if auth:
            headers["Authorization"] = auth
        return client.post(
            "/anymail/amazon_ses/inbound/",
            data=json.dumps(body),
            content_type="text/plain; charset=UTF-8",
            headers=headers,
        )

    return post


# -- Mailgun ---------------------------------------------------------------------


def mailgun_failed(message_id: str, recipient: str) -> dict:
    """Mailgun 'failed' (permanent bounce) webhook event, signed below."""
    return {
        "event-data": {
            "event": "failed",
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": 1772446544.818328,
            "log-level": "error",
            "severity": "permanent",
            "reason": "bounce",
            "recipient": recipient,
            "recipient-domain": recipient.split("@")[-1],
            "envelope": {
                "sender": "no-reply@alliance-for-care.org",
                "transport": "smtp",
                "targets": recipient,
            },
            "flags": {"is-routed": False, "is-authenticated": True, "is-test-mode": False},
            "message": {
                "headers": {
                    "to": recipient,
                    "message-id": message_id.strip("<>"),
                    "from": "Global Alliance for Care <no-reply@alliance-for-care.org>",
                    "subject": "We received your letter",
                },
                "attachments": [],
                "size": 2811,
            },
            "delivery-status": {
                "attempt-no": 1,
                "code": 550,
                "description": "",
                "message": "5.1.1 The email account that you tried to reach does not exist.",
                "mx-host": "mx.org.example.org",
                "session-seconds": 1.2,
                "tls": True,
            },
            "tags": [],
            "user-variables": {},
            "campaigns": [],
        }
    }


def mailgun_sign(payload: dict, key: str = MAILGUN_SIGNING_KEY) -> dict:
    token = uuid.uuid4().hex + uuid.uuid4().hex[:18]
    timestamp = str(int(payload["event-data"]["timestamp"]))
    signature = hmac.new(
        key=key.encode("ascii"), msg=f"{timestamp}{token}".encode("ascii"), digestmod=hashlib.sha256
    ).hexdigest()
    return {
        **payload,
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
    }


@pytest.fixture
def post_mailgun(client, mounted_esp):
    """POST to Mailgun's tracking webhook, mounted as if Mailgun sent our mail."""
    mounted_esp("mailgun")

    def post(body, *, auth=AUTH):
        headers = {"Authorization": auth} if auth else {}
        return client.post(
            "/anymail/mailgun/tracking/",
            data=body if isinstance(body, str) else json.dumps(body),
            content_type="application/json",
            headers=headers,
        )

    return post
