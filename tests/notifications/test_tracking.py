"""Delivery reports: the ESP's tracking webhook records what happened to each
email on its outbox row, and a request without the secret changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications.models import DeliveryStatus
from notifications.selectors import LETTER, bounced_for_object
from notifications.services import APPLICANT

from .conftest import (
    basic_auth,
    mailgun_failed,
    mailgun_sign,
    ses_bounce,
    ses_complaint,
    ses_delivery,
    ses_reject,
    snapshot,
    sns_notification,
)

pytestmark = pytest.mark.django_db


def test_ses_bounce_through_sns_is_recorded_on_the_row(webhook_secret, sent_email, post_sns):
    event = ses_bounce(sent_email.esp_message_id, sent_email.recipient)
    response = post_sns(sns_notification(event, timestamp="2026-03-02T10:15:45.675Z"))

    assert response.status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery_status == DeliveryStatus.BOUNCED
    assert sent_email.delivery_event_at == datetime(2026, 3, 2, 10, 15, 45, 675000, tzinfo=UTC)
    assert sent_email.delivery_reason == "bounced"
    assert sent_email.delivery_detail == (
        "Permanent: General | smtp; 550 5.1.1 <bounce-me@org.example.org>... User unknown"
    )
    assert sent_email.delivery_esp == "Amazon SES"
    # The send itself stays as it was: sent once, with its message id.
    assert sent_email.status == "sent"

    bounced = list(
        bounced_for_object(object_type=LETTER, object_id=sent_email.letter.pk, audience=APPLICANT)
    )
    assert bounced == [sent_email]


def test_ses_delivery_then_complaint_and_a_late_replay_keep_the_latest(
    webhook_secret, sent_email, post_sns
):
    message_id, to = sent_email.esp_message_id, sent_email.recipient
    delivered = sns_notification(ses_delivery(message_id, to), timestamp="2026-03-02T10:15:40Z")
    complained = sns_notification(ses_complaint(message_id, to), timestamp="2026-03-02T11:00:01Z")

    assert post_sns(delivered).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery_status == DeliveryStatus.DELIVERED
    assert sent_email.delivery_detail == "250 2.6.0 Message received"

    assert post_sns(complained).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery_status == DeliveryStatus.COMPLAINED
    assert sent_email.delivery_reason == "spam"
    assert sent_email.delivery_detail == "abuse"

    # SNS redelivers the older delivery report: it must not hide the complaint.
    assert post_sns(delivered).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery_status == DeliveryStatus.COMPLAINED
    # A complaint means the mail arrived: it is not listed as a bounce.
    assert not bounced_for_object(object_type=LETTER, object_id=sent_email.letter.pk).exists()


def test_ses_reject_is_recorded(webhook_secret, sent_email, post_sns):
    event = ses_reject(sent_email.esp_message_id, sent_email.recipient)
    assert post_sns(sns_notification(event)).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery_status == DeliveryStatus.REJECTED
    assert sent_email.delivery_reason == "blocked"
    assert sent_email.delivery_detail == "Bad content"


def test_reports_on_other_mail_change_nothing(webhook_secret, sent_email, post_sns):
    before = snapshot(sent_email)
    other_message = ses_bounce("0100018e-not-ours-000000", sent_email.recipient)
    other_recipient = ses_bounce(sent_email.esp_message_id, "someone-else@org.example.org")
    assert post_sns(sns_notification(other_message)).status_code == 200
    assert post_sns(sns_notification(other_recipient)).status_code == 200
    assert snapshot(sent_email) == before


@pytest.mark.parametrize(
    "auth,status",
    [
        (None, 401),  # SNS sends credentials only after a 401 challenge
        (basic_auth("anymail-user:wrong"), 400),
        (basic_auth("intruder:s3cret-passphrase"), 400),
        ("Bearer s3cret-passphrase", 400),
    ],
)
def test_ses_webhook_without_the_secret_is_refused(
    webhook_secret, sent_email, post_sns, auth, status
):
    before = snapshot(sent_email)
    event = ses_bounce(sent_email.esp_message_id, sent_email.recipient)
    response = post_sns(sns_notification(event), auth=auth)
    assert response.status_code == status
    assert snapshot(sent_email) == before


@pytest.mark.parametrize(
    "body,headers",
    [
        ("this is not json", {}),
        ('{"Type": "Notification", "MessageId": "m-1"', {"message_id": "m-1"}),  # cut short
        (b"\xff\xfe\x00not utf-8", {}),
        ({"Type": "Notification", "MessageId": "m-2", "Message": "{not json"}, {}),
        ({"Type": "Notification", "MessageId": "m-3", "Message": "{}"}, {"message_id": "m-other"}),
        ({"Type": "Surprise", "MessageId": "m-4", "Message": "{}"}, {}),
        (
            {"Type": "Notification", "MessageId": "m-5"},
            {"message_type": "SubscriptionConfirmation"},
        ),
    ],
    ids=[
        "not-json",
        "truncated",
        "not-utf8",
        "message-not-json",
        "id-mismatch",
        "unknown-type",
        "type-mismatch",
    ],
)
def test_malformed_sns_body_is_refused_with_4xx(
    webhook_secret, sent_email, post_sns, body, headers
):
    before = snapshot(sent_email)
    response = post_sns(body, **headers)
    assert 400 <= response.status_code < 500
    assert snapshot(sent_email) == before


def test_without_a_secret_configured_the_webhook_is_not_found_and_records_nothing(
    sent_email, post_sns, settings
):
    """No WEBHOOK_SECRET: anymail alone would warn and accept anyone's report; the
    webhook answers 404 instead, with or without credentials."""
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    before = snapshot(sent_email)
    event = ses_bounce(sent_email.esp_message_id, sent_email.recipient)
    assert post_sns(sns_notification(event), auth=None).status_code == 404
    assert post_sns(sns_notification(event)).status_code == 404
    assert snapshot(sent_email) == before


def test_a_report_dated_in_the_future_counts_as_received_now(webhook_secret, sent_email, post_sns):
    """A "delivered" dated 2099 must not outrank the real bounce that comes later."""
    from django.utils import timezone

    message_id, to = sent_email.esp_message_id, sent_email.recipient
    future = sns_notification(ses_delivery(message_id, to), timestamp="2099-01-01T00:00:00Z")
    assert post_sns(future).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery_status == DeliveryStatus.DELIVERED
    assert abs(sent_email.delivery_event_at - timezone.now()).total_seconds() < 60
    later = timezone.now() + timedelta(minutes=1)
    bounce = sns_notification(
        ses_bounce(message_id, to), timestamp=later.isoformat().replace("+00:00", "Z")
    )
    assert post_sns(bounce).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery_status == DeliveryStatus.BOUNCED


def test_a_report_a_little_ahead_of_our_clock_keeps_its_date(webhook_secret, sent_email, post_sns):
    from django.utils import timezone

    ahead = (timezone.now() + timedelta(minutes=2)).replace(microsecond=0)
    event = ses_delivery(sent_email.esp_message_id, sent_email.recipient)
    stamp = ahead.isoformat().replace("+00:00", "Z")
    assert post_sns(sns_notification(event, timestamp=stamp)).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery_event_at == ahead


def test_another_esps_report_format_is_not_even_mounted(webhook_secret, sent_email, client):
    """SES sends our mail: a Postmark-format report has no URL to go to."""
    before = snapshot(sent_email)
    body = {"RecordType": "Bounce", "MessageID": sent_email.esp_message_id, "Type": "HardBounce"}
    for esp in ("postmark", "mailgun", "sendgrid", "brevo", "mandrill", "sparkpost"):
        response = client.post(
            f"/anymail/{esp}/tracking/",
            body,
            content_type="application/json",
            headers={"Authorization": basic_auth()},
        )
        assert response.status_code == 404, esp
    assert snapshot(sent_email) == before


# -- Mailgun: the same row, as if the project had sent it through Mailgun ---------

MAILGUN_ID = "<20260302101538.1.0DF563D0B3597700@mg.alliance-for-care.org>"


@pytest.fixture
def mailgun_email(sent_email):
    type(sent_email).objects.filter(pk=sent_email.pk).update(esp_message_id=MAILGUN_ID)
    sent_email.refresh_from_db()
    return sent_email


def test_mailgun_bounce_is_recorded(webhook_secret, mailgun_email, post_mailgun):
    payload = mailgun_sign(mailgun_failed(MAILGUN_ID, mailgun_email.recipient))
    assert post_mailgun(payload).status_code == 200
    mailgun_email.refresh_from_db()
    assert mailgun_email.delivery_status == DeliveryStatus.BOUNCED
    assert mailgun_email.delivery_esp == "Mailgun"
    assert mailgun_email.delivery_reason == "bounced"
    assert mailgun_email.delivery_detail == (
        "5.1.1 The email account that you tried to reach does not exist."
    )
    assert mailgun_email.delivery_event_at == datetime(2026, 3, 2, 10, 15, 44, 818328, tzinfo=UTC)


@pytest.mark.parametrize(
    "make_body,auth",
    [
        (lambda p: mailgun_sign(p, key="key-someone-else"), basic_auth()),
        (
            lambda p: {**mailgun_sign(p), "signature": {"timestamp": "1", "token": "t"}},
            basic_auth(),
        ),
        (lambda p: p, basic_auth()),  # unsigned
        (lambda p: mailgun_sign(p), basic_auth("anymail-user:wrong")),
        (lambda p: mailgun_sign(p), None),
        (lambda p: '{"event-data": {"event": "failed"', basic_auth()),  # truncated JSON
        (lambda p: "[]", basic_auth()),
    ],
    ids=[
        "wrong-key",
        "no-signature-value",
        "unsigned",
        "wrong-secret",
        "no-secret",
        "truncated",
        "not-an-object",
    ],
)
def test_mailgun_webhook_with_bad_signature_or_body_is_refused(
    webhook_secret, mailgun_email, post_mailgun, make_body, auth
):
    before = snapshot(mailgun_email)
    body = make_body(mailgun_failed(MAILGUN_ID, mailgun_email.recipient))
    response = post_mailgun(body, auth=auth)
    assert 400 <= response.status_code < 500
    assert snapshot(mailgun_email) == before


def test_a_report_we_fail_to_store_is_answered_5xx_so_the_esp_sends_it_again(
    webhook_secret, sent_email, post_sns, client, monkeypatch
):
    from django.db import OperationalError

    def database_down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django.db.models.query.QuerySet.update", database_down)
    client.raise_request_exception = False
    event = ses_bounce(sent_email.esp_message_id, sent_email.recipient)
    # 503 (config/middleware.py: the database is unreachable); ESPs retry any 5xx.
    assert post_sns(sns_notification(event)).status_code == 503
