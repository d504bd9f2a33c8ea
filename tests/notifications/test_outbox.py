"""The outbox: queued in the transition's transaction, sent once after commit,
retried through an ESP outage, never sent twice."""

import io
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from botocore.config import Config
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from applications.models import Letter
from notifications.models import OutboxMessage, OutboxStatus
from notifications.outbox import claim, enqueue_send, send_claimed, send_outbox, send_outbox_message
from notifications.services import EVENTS, notify, render_email

pytestmark = pytest.mark.django_db


def test_nothing_is_queued_when_the_transition_rolls_back(make_letter):
    from django.db import transaction

    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        letter = make_letter("submitted")
        raise RuntimeError("rolled back")
    assert OutboxMessage.objects.count() == before
    assert not Letter.objects.filter(pk=letter.pk).exists()


def test_the_same_event_for_the_same_transition_is_queued_once(make_letter):
    letter = make_letter("submitted")
    from django_fsm_log.models import StateLog

    log = StateLog.objects.for_(letter).latest("pk")
    count = OutboxMessage.objects.count()
    assert notify(event="letter_submitted", obj=letter, log=log) == []
    assert OutboxMessage.objects.count() == count


def test_running_the_send_task_twice_sends_once(make_letter, aws):
    make_letter("submitted", contact_email="once@org.example.org")
    message = OutboxMessage.objects.get(recipient="once@org.example.org")
    assert send_outbox_message.call(message.pk) == "sent"
    assert send_outbox_message.call(message.pk) == "skipped"
    assert [m["To"] for m in aws.sent()].count("once@org.example.org") == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.esp_message_id


def test_esp_outage_is_retried_later_and_nothing_is_lost(
    make_letter, aws, settings, run_worker, deliver
):
    good = settings.ANYMAIL
    settings.ANYMAIL = {
        "AMAZON_SES_CLIENT_PARAMS": {
            **good["AMAZON_SES_CLIENT_PARAMS"],
            "endpoint_url": "http://127.0.0.1:9",
            "config": Config(retries={"max_attempts": 1}, connect_timeout=1),
        }
    }
    with deliver():
        make_letter("submitted", contact_email="later@org.example.org")
    message = OutboxMessage.objects.get(recipient="later@org.example.org")
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.error_type
    assert message.next_attempt_at > timezone.now()
    assert aws.sent() == []
    # The failed row waits for a retry task of its own, due when its backoff ends.
    retry = DBTaskResult.objects.get(
        task_path=send_outbox_message.module_path, args_kwargs__args=[message.pk]
    )
    assert (retry.status, retry.run_after) == ("READY", message.next_attempt_at)

    settings.ANYMAIL = good
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS + 5)
    ):
        run_worker()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert [m["To"] for m in aws.sent()].count("later@org.example.org") == 1


def test_invalid_address_fails_at_once_without_retry(make_letter, aws):
    make_letter("submitted", contact_email="fine@org.example.org")
    message = OutboxMessage.objects.get(recipient="fine@org.example.org")
    OutboxMessage.objects.filter(pk=message.pk).update(recipient="not an address")
    assert send_outbox_message.call(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.error_type == "AnymailInvalidAddress"
    assert message.next_attempt_at is None


@pytest.mark.parametrize("wording", ["default", "secretariat"])
@pytest.mark.parametrize("language", ["es", "en", "fr"])
@pytest.mark.parametrize(
    "event,audience",
    [
        (event, audience)
        for event, audiences in EVENTS.items()
        for audience in audiences
        # Calls and nominations: tests/applications/nominations/test_emails.py;
        # members: tests/applications/members/test_member_emails.py;
        # a quarantined file: tests/applications/test_antivirus.py.
        if not event.startswith(("call_", "nomination_", "member_", "file_"))
    ],
)
def test_every_email_renders_in_every_language(event, audience, language, wording, make_letter):
    """Every email, from the template files or from a Secretariat's wording (its
    starting text with a line added): the same guarantees either way."""
    letter = make_letter("submitted", organisation_name="Cuidados & Derechos")
    from applications.models import TextVersion
    from notifications.services import letter_context
    from notifications.texts import email_spec

    version = None
    if wording == "secretariat":
        spec = email_spec(event, audience)
        subject, body = spec.default(language)
        version = TextVersion.objects.create(
            key=spec.key,
            language=language,
            number=1,
            subject="Nota: " + subject,
            body=body + "\n\nP.S. {organisation} <3",
        )
    context = letter_context(letter)
    if event.startswith("letter_draft_"):  # about a saved letter, not a letter (issue 13)
        from applications.drafts import services as draft_services
        from notifications.services import draft_context

        draft = draft_services.draft_save(
            draft=None,
            data={"organisation_name": ["Cuidados & Derechos"]},
            contact_email="c@example.org",
            language=language,
        )
        context = draft_context(draft)
    if event == "reply_received":  # a reply that landed on the letter (issue 13)
        from applications.models import LetterReply
        from notifications.services import reply_context

        reply = LetterReply.objects.create(
            letter=letter, match="signed", sender="ana@sur.example.org", subject="Re: carta"
        )
        context = reply_context(reply)
    email = render_email(event=event, audience=audience, language=language, context=context)
    assert email["text_version"] == version
    assert email["subject"].strip()
    assert "Cuidados & Derechos" in email["body_text"]
    assert "Cuidados &amp; Derechos" not in email["body_text"]
    assert f'lang="{language}"' in email["body_html"]
    assert "<p>" in email["body_html"] and "&lt;p&gt;" not in email["body_html"]
    assert "Cuidados &amp; Derechos" in email["body_html"]
    assert "Cuidados &amp;amp; Derechos" not in email["body_html"]
    assert "{{" not in email["body_text"] and "{%" not in email["body_text"]
    assert "{" not in email["subject"] + email["body_text"]  # every placeholder filled
    if version:
        assert email["subject"].startswith("Nota: ")
        assert "P.S. Cuidados & Derechos <3" in email["body_text"]
        assert "P.S. Cuidados &amp; Derechos &lt;3" in email["body_html"]


def test_flush_requeues_rows_whose_task_was_lost(make_letter, aws, run_worker, deliver):
    make_letter("submitted", contact_email="lost@org.example.org")
    DBTaskResult.objects.all().delete()  # the enqueue after commit was lost
    run_worker()
    assert aws.sent() == []

    with deliver():
        call_command("outbox_flush", stdout=io.StringIO())
    recipients = [m["To"] for m in aws.sent()]
    assert recipients.count("lost@org.example.org") == 1
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def send_tasks_waiting() -> int:
    return DBTaskResult.objects.ready().filter(task_path=send_outbox.module_path).count()


def test_a_burst_of_commits_makes_one_send_task_that_sends_each_email_once(
    make_letter, aws, django_capture_on_commit_callbacks, run_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            make_letter("submitted", contact_email=f"burst{n}@org.example.org")
    # Ten emails from five commits (each applicant and the secretariat's reviewer):
    # the first commit's task has not started, so the others add none.
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 10
    assert DBTaskResult.objects.count() == 1
    assert send_tasks_waiting() == 1

    run_worker()
    # That task sent the ten; the successor it queued on taking its first row
    # found nothing left, and queued none.
    results = DBTaskResult.objects.filter(task_path=send_outbox.module_path)
    assert sorted(results.values_list("status", "return_value"), key=lambda r: len(r[1])) == [
        ("SUCCESSFUL", {}),
        ("SUCCESSFUL", {"sent": 10}),
    ]
    keys = Counter(str(m["X-Alliance-Outbox-Key"]).strip() for m in aws.sent())
    assert keys == dict.fromkeys(OutboxMessage.objects.values_list("key", flat=True), 1)
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def test_a_send_task_that_has_started_does_not_stand_for_new_rows(make_letter, run_worker):
    enqueue_send()
    assert send_tasks_waiting() == 1
    # A worker has taken that task: it may have looked for rows already.
    DBTaskResult.objects.filter(task_path=send_outbox.module_path).update(status="RUNNING")
    make_letter("submitted")
    enqueue_send(*OutboxMessage.objects.values_list("pk", flat=True))
    assert send_tasks_waiting() == 1
    run_worker()
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def test_a_full_batch_hands_the_rest_to_a_new_task(make_letter, aws, run_worker):
    for n in range(3):
        make_letter("submitted", contact_email=f"batch{n}@org.example.org")
    assert send_tasks_waiting() == 0  # no on-commit callback ran: no task yet

    assert send_outbox.call(limit=4) == {"sent": 4}
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 4
    assert send_tasks_waiting() == 1  # two rows are left for the next task
    run_worker()
    assert len(aws.sent()) == 6
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
    assert send_tasks_waiting() == 0  # the last one found nothing and queued none
    assert send_outbox.call() == {}
    assert send_tasks_waiting() == 0


def test_a_send_task_leaves_rows_waiting_for_their_retry(make_letter, aws):
    make_letter("submitted", contact_email="waits@org.example.org")
    waiting = OutboxMessage.objects.get(recipient="waits@org.example.org")
    later = timezone.now() + timedelta(minutes=5)
    OutboxMessage.objects.filter(pk=waiting.pk).update(attempts=1, next_attempt_at=later)

    assert send_outbox.call() == {"sent": 1}  # the secretariat's email only
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 1)
    with time_machine.travel(later):
        assert send_outbox.call() == {"sent": 1}
    assert [m["To"] for m in aws.sent()].count("waits@org.example.org") == 1


def test_flush_leaves_alone_an_old_row_that_a_worker_is_sending_now(
    make_letter, aws, settings, deliver, run_worker
):
    """The row is 20 minutes old, but its retry was claimed a minute ago: not stuck."""
    start = timezone.now()
    good = settings.ANYMAIL
    settings.ANYMAIL = {
        "AMAZON_SES_CLIENT_PARAMS": {
            **good["AMAZON_SES_CLIENT_PARAMS"],
            "endpoint_url": "http://127.0.0.1:9",
            "config": Config(retries={"max_attempts": 1}, connect_timeout=1),
        }
    }
    with time_machine.travel(start, tick=False):
        make_letter("submitted", contact_email="slow@org.example.org")
        message = OutboxMessage.objects.get(recipient="slow@org.example.org")
        assert send_outbox_message.call(message.pk) == "retry"  # the ESP is down
    settings.ANYMAIL = good

    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        in_flight = claim(message.pk)  # a worker takes the retry and starts sending
    assert in_flight is not None
    with time_machine.travel(start + timedelta(minutes=21), tick=False):
        out = io.StringIO()
        with deliver():
            call_command("outbox_flush", stdout=out)
        send_claimed(in_flight)  # the worker's send completes
        run_worker()
    assert [m["To"] for m in aws.sent()].count("slow@org.example.org") == 1
    assert "(0 were stuck while sending)" in out.getvalue()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)


def test_flush_sends_a_row_whose_worker_died_while_sending_it(make_letter, aws, deliver):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        make_letter("submitted", contact_email="orphan@org.example.org")
        message = OutboxMessage.objects.get(recipient="orphan@org.example.org")
        assert claim(message.pk) is not None  # then the worker is killed
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        out = io.StringIO()
        call_command("outbox_flush", stdout=out)
        assert "(0 were stuck while sending)" in out.getvalue()
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        out = io.StringIO()
        with deliver():
            call_command("outbox_flush", stdout=out)
        assert "(1 were stuck while sending)" in out.getvalue()
    assert [m["To"] for m in aws.sent()].count("orphan@org.example.org") == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
