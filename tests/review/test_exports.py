"""Staff CSV exports of letters and members."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db


def rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_letters_export_has_status_and_dates(client, reviewer, make_letter):
    make_letter("approved", organisation_name="=HYPERLINK(1)")
    make_letter("submitted", organisation_name="Red Sur")
    client.force_login(reviewer)
    response = client.get(reverse("review:export_letters"))
    assert response["Content-Disposition"] == 'attachment; filename="letters.csv"'
    data = rows(response)
    assert [(row["organisation"], row["status"]) for row in data] == [
        ("'=HYPERLINK(1)", "approved"),
        ("Red Sur", "submitted"),
    ]
    assert data[0]["decided_at"] and not data[1]["decided_at"]


def test_members_export_lists_members_only(client, reviewer, make_letter):
    make_letter("onboarded", organisation_name="Miembro")
    make_letter("submitted", organisation_name="Candidata")
    client.force_login(reviewer)
    data = rows(client.get(reverse("review:export_members")))
    assert [row["name"] for row in data] == ["Miembro"]
    assert data[0]["public_listing"] == "yes"
    assert data[0]["country"] == "MX"


def test_members_export_imports_again_unchanged(client, reviewer):
    from pathlib import Path

    from applications.members.imports import members_import

    sample = Path(__file__).resolve().parents[1] / "applications" / "members" / "members_sample.csv"
    first = members_import(data=sample.read_bytes())
    assert first.ok and first.created > 0
    client.force_login(reviewer)
    response = client.get(reverse("review:export_members"))
    exported = b"".join(response.streaming_content)
    again = members_import(data=exported, dry_run=True)
    assert again.ok, again.problems
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)


def test_exports_need_a_staff_role(client, make_letter):
    client.force_login(User.objects.create_user("outsider"))
    assert client.get(reverse("review:export_letters")).status_code == 403
    client.logout()
    assert client.get(reverse("review:export_members")).status_code == 302
