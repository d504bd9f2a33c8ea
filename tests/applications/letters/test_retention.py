"""Retention: closed letters are anonymised after the retention period, their
files deleted from the bucket; staff can export what is held about an applicant."""

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from applications.letters import services
from applications.models import Letter
from notifications.models import OutboxMessage
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def submit_with_file(client):
    data = form_data(contact_email="persona@ejemplo.org", contact_name="Ana Persona")
    data["signed_letter"] = upload("carta.pdf", pdf_bytes())
    client.post(reverse("applications:letter_create"), data)
    return Letter.objects.get(contact_email="persona@ejemplo.org")


def test_closed_letters_are_anonymised_after_the_period(client, aws, deliver, settings):
    with deliver():
        letter = submit_with_file(client)
        services.letter_withdraw(letter=letter, reason="Nos fusionamos con otra red.")
    key = letter.attachments.get().key
    assert aws.object_keys() == [key]

    months = settings.RETENTION_MONTHS
    with time_machine.travel(timezone.now() + timedelta(days=30 * months - 2)):
        call_command("retention_purge", stdout=io.StringIO())
    assert Letter.objects.get(pk=letter.pk).anonymised_at is None

    with deliver(), time_machine.travel(timezone.now() + timedelta(days=30 * months + 1)):
        call_command("retention_purge", stdout=io.StringIO())
    letter.refresh_from_db()
    assert letter.anonymised_at is not None
    assert "persona" not in letter.contact_email and letter.contact_name == ""
    assert letter.motivation == "" and letter.care_work == ""
    assert letter.attachments.count() == 0 and letter.revisions.count() == 0
    assert aws.object_keys() == []
    assert not OutboxMessage.objects.filter(recipient="persona@ejemplo.org").exists()
    assert not OutboxMessage.objects.filter(body_text__contains="Ana Persona").exists()
    assert letter.status == "withdrawn" and letter.constituency  # statistics stay


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
