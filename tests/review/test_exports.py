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


def test_letters_export_streams_every_row_as_a_straightforward_export_would(
    client, reviewer, make_letter, settings
):
    """2,500 letters (several chunks of the stream), in another time zone: each
    row as the model's own fields give it."""
    from django.utils import timezone

    from applications.models import Letter

    settings.TIME_ZONE = "America/Mexico_City"
    make_letter("onboarded", organisation_name="+Fórmula", acronym="@A")
    make_letter("rejected", country="KE")
    Letter.objects.bulk_create(
        Letter(
            organisation_name=f"Organización {i}",
            constituency="youth",
            country="FR" if i % 2 else "AR",
            contact_name="Contacto, con coma",
            contact_role="Rol",
            contact_email=f"c{i}@example.org",
            care_work="-",
            motivation="-",
            consent_privacy=True,
            name_key=f"org{i}",
        )
        for i in range(2_498)
    )

    def when(value):
        return timezone.localtime(value).isoformat(timespec="minutes") if value else ""

    def safe(text):
        text = str(text)
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    expected = [
        {
            "id": str(x.pk),
            "organisation": safe(x.organisation_name),
            "acronym": safe(x.acronym),
            "constituency": x.constituency,
            "country": x.country.code,
            "contact_name": x.contact_name,
            "contact_email": x.contact_email,
            "language": x.language,
            "status": x.status,
            "submission": str(x.revision),
            "submitted_at": when(x.submitted_at),
            "decided_at": when(x.decided_at),
            "onboarded_at": when(x.onboarded_at),
            "possible_duplicates": str(x.duplicate_count),
        }
        for x in Letter.objects.order_by("pk")
    ]
    client.force_login(reviewer)
    response = client.get(reverse("review:export_letters"))
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3  # sent as it is read, not built whole first
    body = b"".join(chunks).decode("utf-8")
    assert body.startswith("\ufeff")
    assert list(csv.DictReader(io.StringIO(body[1:]))) == expected
    assert expected[0]["onboarded_at"].endswith("-06:00")  # Mexico City, not UTC


def test_members_export_streams_the_members_fields(client, reviewer):
    from tests import factories

    first = factories.member(
        name="Alfa", priority_areas=["communication", "knowledge_data"], public_listing=True
    )
    second = factories.member(name="Beta", import_key="GAC-9", country="KE", member_since=None)
    third = factories.member(name="=Gamma", acronym="-G", country="FR")
    client.force_login(reviewer)
    data = rows(client.get(reverse("review:export_members")))
    assert [row["key"] for row in data] == [f"org-{third.pk}", f"org-{first.pk}"]
    assert data[0]["name"] == "'=Gamma" and data[0]["acronym"] == "'-G"
    assert data[1]["priority_areas"] == "communication;knowledge_data"
    assert data[1]["public_listing"] == "yes" and data[0]["public_listing"] == "no"
    assert data[1]["member_since"] == "2024-01-15" and data[1]["country"] == "MX"
    assert second.pk not in [row["key"] for row in data]


def test_members_workbook_is_checked_cell_by_cell(client, reviewer):
    """Opened back with openpyxl: labels in the staff member's language, real dates,
    and a name that looks like a formula kept as text, without a guard character."""
    import datetime
    from io import BytesIO

    from openpyxl import load_workbook

    from tests import factories

    first = factories.member(
        name="=Gamma",
        acronym="-G",
        country="FR",
        constituency="trade_union",
        priority_areas=["communication"],
        public_listing=True,
        contact_email="focal@gamma.example.org",
        member_since=datetime.date(2021, 7, 1),
    )
    first.contacts.create(
        role="communications", name="Lu", email="lu@gamma.example.org", language="fr"
    )
    factories.member(name="Candidata", member_since=None)
    client.force_login(reviewer)
    client.cookies["django_language"] = "es"
    response = client.get(reverse("review:export_members_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Integrantes", "Contactos"]
    members = [[cell.value for cell in row] for row in workbook["Integrantes"].iter_rows()]
    assert members[0][:4] == ["Clave", "Nombre", "Sigla", "Sector"]
    assert len(members) == 2  # the candidate is no member
    row = members[1]
    assert row[1] == "=Gamma" and row[2] == "-G"
    assert workbook["Integrantes"]["B2"].data_type == "s"  # text, not a formula
    assert row[3] == "Sindicato" and row[4] == "Francia"
    assert row[7] == "Activa"
    assert row[8] == datetime.datetime(2021, 7, 1)  # a real date cell
    assert row[9] == "sí" and row[10] == "Comunicación"
    contacts = [[cell.value for cell in r] for r in workbook["Contactos"].iter_rows()]
    assert contacts[1:] == [
        ["=Gamma", "Punto focal", None, "focal@gamma.example.org", "Español"],
        ["=Gamma", "Comunicación", "Lu", "lu@gamma.example.org", "Français"],
    ]
