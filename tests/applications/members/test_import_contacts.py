"""The member roll's import and export carry the contacts."""

import csv
import io

import pytest
from django.urls import reverse

from applications.members.imports import members_import
from applications.models import MemberContact, Organisation
from tests.applications.members.test_import import SAMPLE, problems_of, sample_rows, to_csv

pytestmark = pytest.mark.django_db

OTHERS = (
    "communications|Ana Pérez|ana@inc.example.org|en;"
    "committee_delegate|Luis Gómez|luis@inc.example.org|fr"
)


def rows_with_contacts():
    rows = sample_rows()
    for row in rows:
        row["contact_name"] = ""
        row["contacts"] = ""
    rows[0]["contact_name"] = "Marta Ríos"
    rows[0]["contacts"] = OTHERS
    return rows


def contacts_of(key):
    return sorted(
        MemberContact.objects.filter(organisation__import_key=key).values_list(
            "role", "name", "email", "language"
        )
    )


def test_an_import_makes_the_focal_point_and_the_other_contacts():
    report = members_import(data=to_csv(rows_with_contacts()))
    assert report.ok, report.problems
    assert contacts_of("GAC-001") == [
        ("committee_delegate", "Luis Gómez", "luis@inc.example.org", "fr"),
        ("communications", "Ana Pérez", "ana@inc.example.org", "en"),
        ("focal_point", "Marta Ríos", "alianza@inc.example.org", "es"),
    ]
    # The file without contact columns still gives every member its focal point.
    assert MemberContact.objects.filter(role="focal_point").count() == Organisation.objects.count()


def test_a_reimport_of_the_same_contacts_changes_nothing_and_a_new_list_replaces_them():
    members_import(data=to_csv(rows_with_contacts()))
    again = members_import(data=to_csv(rows_with_contacts()), dry_run=True)
    assert (again.created, again.updated) == (0, 0)

    rows = rows_with_contacts()
    rows[0]["contacts"] = "communications|Ana Pérez|ana@inc.example.org|es"
    rows[0]["contact_email"] = "nueva@inc.example.org"
    report = members_import(data=to_csv(rows))
    assert (report.created, report.updated) == (0, 1)
    assert contacts_of("GAC-001") == [
        ("communications", "Ana Pérez", "ana@inc.example.org", "es"),
        ("focal_point", "Marta Ríos", "nueva@inc.example.org", "es"),
    ]
    assert Organisation.objects.get(import_key="GAC-001").contact_email == "nueva@inc.example.org"


def test_bad_contacts_are_row_problems_that_echo_the_value():
    rows = rows_with_contacts()
    rows[1]["contacts"] = "treasurer|Jo|jo@x.org|es"
    rows[2]["contacts"] = "communications|Jo|not-an-address|es"
    rows[3]["contacts"] = "communications|Jo"
    report = members_import(data=to_csv(rows))
    assert not report.ok and not report.written
    assert problems_of(report) == {(3, "contacts"), (4, "contacts"), (5, "contacts")}
    messages = " ".join(p.message for p in report.problems)
    assert "treasurer" in messages and "not-an-address" in messages
    assert "communications|Jo" in messages
    assert not MemberContact.objects.exists()


def test_the_export_carries_the_contacts_and_imports_again_unchanged(client, reviewer):
    first = members_import(data=to_csv(rows_with_contacts()))
    client.force_login(reviewer)
    exported = b"".join(client.get(reverse("review:export_members")).streaming_content)
    data = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    inc = next(row for row in data if row["Key"] == "GAC-001")
    assert inc["Focal point"] == "Marta Ríos"
    # Roles and languages by their names, in the staff member's language (English).
    assert inc["Other contacts"] == (
        "Communications|Ana Pérez|ana@inc.example.org|English; "
        "Committee delegate|Luis Gómez|luis@inc.example.org|Français"
    )
    again = members_import(data=exported, dry_run=True)
    assert again.ok, again.problems
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)


def test_the_sample_without_contact_columns_still_imports():
    assert members_import(data=SAMPLE.read_bytes()).ok
