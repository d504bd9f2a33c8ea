"""Staff who chose the daily digest get one email a day instead of each email;
applicants always get theirs at once."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage, OutboxStatus, StaffEmailPreference
from notifications.services import digests_send

pytestmark = pytest.mark.django_db


def test_staff_choose_their_preference(client, reviewer):
    client.force_login(reviewer)
    url = reverse("review:email_preference")
    assert client.get(url).context["form"].initial["mode"] == "immediate"
    client.post(url, {"mode": "digest"})
    assert StaffEmailPreference.objects.get(user=reviewer).daily_digest is True
    client.post(url, {"mode": "immediate"})
    assert StaffEmailPreference.objects.get(user=reviewer).daily_digest is False


def test_digest_gathers_held_emails_once_a_day(
    reviewer, reviewer2, make_letter, aws, deliver, run_worker
):
    StaffEmailPreference.objects.create(user=reviewer, daily_digest=True)
    with deliver():
        first = make_letter("submitted", organisation_name="Red Uno", contact_email="a@uno.org")
        make_letter("submitted", organisation_name="Red Dos", contact_email="b@dos.org")
    sent_to = [m["To"] for m in aws.sent()]
    # Applicants and the colleague who wants each email got theirs at once...
    assert "a@uno.org" in sent_to and "b@dos.org" in sent_to
    assert sent_to.count(reviewer2.email) == 2
    # ...the digest reader got nothing yet: the two emails wait.
    assert reviewer.email not in sent_to
    held = OutboxMessage.objects.filter(recipient=reviewer.email, status=OutboxStatus.HELD)
    assert held.count() == 2

    with deliver():
        assert digests_send() == 1
        assert digests_send() == 0  # nothing left to gather
    digest = [m for m in aws.sent() if m["To"] == reviewer.email]
    assert len(digest) == 1
    body = digest[0].get_body(preferencelist=("plain",)).get_content()
    assert "New letter of interest: Red Uno" in body and "Red Dos" in body
    assert not OutboxMessage.objects.filter(status=OutboxStatus.HELD).exists()
    assert first.pk  # the letters themselves are untouched


def test_digest_job_reschedules_itself_daily(run_worker):
    from django_tasks_db.models import DBTaskResult

    call_command("outbox_digest", "--schedule", stdout=io.StringIO())
    call_command("outbox_digest", "--schedule", stdout=io.StringIO())
    path = "notifications.tasks.daily_digests"
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        run_worker()
    waiting = DBTaskResult.objects.get(task_path=path, status="READY")
    assert waiting.run_after > timezone.now() + timedelta(hours=23)
