"""Retention: closed letters are anonymised RETENTION_MONTHS calendar months after
the day they closed (a stored timestamp a later save does not move), their files
deleted from the bucket; staff can export what is held about an applicant."""

import datetime
import importlib
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog
from django_tasks_db.models import DBTaskResult

from applications.letters import services
from applications.models import Letter
from notifications.models import OutboxMessage
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

CLOSED_ON = datetime.datetime(2026, 1, 31, 10, tzinfo=datetime.UTC)


def purge(*args) -> str:
    out = io.StringIO()
    call_command("retention_purge", *args, stdout=out)
    return out.getvalue()


def submit_with_file(client):
    data = form_data(contact_email="persona@ejemplo.org", contact_name="Ana Persona")
    data["signed_letter"] = upload("carta.pdf", pdf_bytes())
    client.post(reverse("applications:letter_create"), data)
    return Letter.objects.get(contact_email="persona@ejemplo.org")


def test_closed_letters_are_anonymised_after_the_period(client, aws, deliver, settings):
    settings.RETENTION_MONTHS = 12
    with deliver(), time_machine.travel(CLOSED_ON, tick=False):
        letter = submit_with_file(client)
        letter = services.letter_withdraw(letter=letter, reason="Nos fusionamos con otra red.")
    assert letter.closed_at == CLOSED_ON
    key = letter.attachments.get().key
    assert aws.object_keys() == [key]
    # A later save does not restart the clock (updated_at would).
    with time_machine.travel(CLOSED_ON + timedelta(days=200), tick=False):
        Letter.objects.get(pk=letter.pk).save()

    # 31 January 2026 + 12 calendar months = 31 January 2027: the day before, nothing.
    with time_machine.travel(datetime.datetime(2027, 1, 30, 23, tzinfo=datetime.UTC)):
        assert "0 letters anonymised" in purge()
        assert f"letter {letter.pk}:" not in purge("--dry-run")
    assert Letter.objects.get(pk=letter.pk).anonymised_at is None

    at = datetime.datetime(2027, 1, 31, 11, tzinfo=datetime.UTC)
    with deliver(), time_machine.travel(at):
        listing = purge("--dry-run")
        assert f"letter {letter.pk}: withdrawn, closed 2026-01-31" in listing
        assert "dry run: 1 letters" in listing
        assert Letter.objects.get(pk=letter.pk).anonymised_at is None  # dry run
        assert "1 letters anonymised" in purge()
    letter.refresh_from_db()
    assert letter.anonymised_at is not None
    assert "persona" not in letter.contact_email and letter.contact_name == ""
    assert letter.motivation == "" and letter.care_work == ""
    assert letter.attachments.count() == 0 and letter.revisions.count() == 0
    assert aws.object_keys() == []
    assert not OutboxMessage.objects.filter(recipient="persona@ejemplo.org").exists()
    assert not OutboxMessage.objects.filter(body_text__contains="Ana Persona").exists()
    assert letter.status == "withdrawn" and letter.constituency  # statistics stay


def test_a_rejection_stores_the_day_it_closed(make_letter, settings):
    settings.RETENTION_MONTHS = 1
    with time_machine.travel(CLOSED_ON, tick=False):
        letter = make_letter("rejected")
    assert letter.closed_at == CLOSED_ON
    # A calendar month back from 28 February is 28 January, after the 31st: kept;
    # from 1 March it is 1 February: due.
    with time_machine.travel(datetime.datetime(2026, 2, 28, 23, tzinfo=datetime.UTC)):
        assert f"letter {letter.pk}:" not in purge("--dry-run")
    with time_machine.travel(datetime.datetime(2026, 3, 1, 11, tzinfo=datetime.UTC)):
        assert f"letter {letter.pk}: rejected, closed 2026-01-31" in purge("--dry-run")


def test_the_migration_dates_closed_letters_from_their_history(make_letter):
    """Letters closed before ``closed_at`` existed get the time of their closing
    transition, or their last change when they have no history."""
    migration = importlib.import_module("applications.migrations.0015_i14_letter_closed_at")
    with time_machine.travel(CLOSED_ON, tick=False):
        rejected = make_letter("rejected")
        withdrawn = make_letter("withdrawn")
    later = CLOSED_ON + timedelta(days=90)
    Letter.objects.filter(pk__in=[rejected.pk, withdrawn.pk]).update(
        closed_at=None, updated_at=later
    )
    StateLog.objects.for_(withdrawn).delete()
    open_letter = make_letter("submitted")

    migration.closed_letters_closed_at(apps, None)

    assert Letter.objects.get(pk=rejected.pk).closed_at == CLOSED_ON
    assert Letter.objects.get(pk=withdrawn.pk).closed_at == later
    assert Letter.objects.get(pk=open_letter.pk).closed_at is None


def test_open_and_member_letters_are_kept(make_letter, settings):
    kept = [make_letter("submitted"), make_letter("onboarded"), make_letter("reviewed")]
    with time_machine.travel(timezone.now() + timedelta(days=30 * settings.RETENTION_MONTHS + 5)):
        call_command("retention_purge", stdout=io.StringIO())
    for letter in kept:
        assert Letter.objects.get(pk=letter.pk).anonymised_at is None


def test_retention_job_reschedules_itself_once(run_worker):
    call_command("retention_purge", "--schedule", stdout=io.StringIO())
    call_command("retention_purge", "--schedule", stdout=io.StringIO())
    path = "applications.tasks.retention_daily"
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    run_worker()
    waiting = DBTaskResult.objects.get(task_path=path, status="READY")
    assert waiting.run_after > timezone.now() + timedelta(hours=23)


def test_staff_export_everything_held_about_an_applicant(client, aws, reviewer, deliver):
    with deliver():
        letter = submit_with_file(client)
    client.force_login(reviewer)
    response = client.get(reverse("review:export_applicant", args=[letter.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="applicant-{letter.pk}.json"'
    data = json.loads(response.content)
    assert data["letter"]["contact_email"] == "persona@ejemplo.org"
    assert data["attachments"][0]["name"] == "carta.pdf"
    assert [entry["to"] for entry in data["history"]] == ["submitted"]
    assert [mail["to"] for mail in data["emails"]] == ["persona@ejemplo.org"]
    assert data["submissions"][0]["content"]["contact_name"] == "Ana Persona"
