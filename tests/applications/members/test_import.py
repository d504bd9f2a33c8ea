"""Import of today's members from CSV: the service, the command and the admin page."""

import csv
import io
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.urls import reverse

from applications.members.imports import members_import
from applications.models import Organisation
from applications.regions import Region
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).with_name("members_sample.csv")
IMPORT_URL = reverse("admin:applications_organisation_import")
CHANGELIST_URL = reverse("admin:applications_organisation_changelist")


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def to_csv(rows: list[dict], *, delimiter=",", encoding="utf-8", columns=None) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def with_changes(number: int, **changes) -> list[dict]:
    """The sample's rows, row ``number`` (as a spreadsheet counts, header = 1) changed."""
    rows = sample_rows()
    rows[number - 2].update(changes)
    return rows


def problems_of(report) -> set[tuple]:
    return {(p.row, p.field) for p in report.problems}


def test_dry_run_reports_and_writes_nothing():
    report = members_import(data=SAMPLE.read_bytes(), dry_run=True)

    assert report.ok and not report.written
    assert (report.rows, report.created, report.updated) == (12, 12, 0)
    assert Organisation.objects.count() == 0


def test_a_good_file_imports_every_member():
    report = members_import(data=SAMPLE.read_bytes())

    assert report.ok and report.written
    assert report.created == 12
    assert Organisation.objects.count() == 12
    red = Organisation.objects.get(import_key="GAC-002")
    assert red.name == "Red de Cuidadoras Comunitarias del Cono Sur"
    assert red.constituency == "grassroots_women"  # from the Spanish label
    assert red.country.code == "AR" and red.region == Region.LATIN_AMERICA_CARIBBEAN
    assert red.website == "https://rccs.example.org"  # scheme added
    assert red.priority_areas == ["experience_exchange", "communication"]
    assert red.public_listing is True  # "sí"
    assert red.member_since == date(2021, 7, 1)
    assert red.language == "es"
    us = Organisation.objects.get(import_key="GAC-010")
    assert us.name == "CareWorks Global, Inc."
    assert (us.country.code, us.region, us.constituency) == (
        "US",
        "northern_america",
        "private_sector",
    )
    assert Organisation.objects.get(import_key="GAC-006").country.code == "PE"  # "Perú"
    assert Organisation.objects.get(import_key="GAC-012").region == Region.ASIA  # Türkiye
    assert Organisation.objects.get(import_key="GAC-009").public_listing is False


def test_importing_sends_no_email():
    members_import(data=SAMPLE.read_bytes())

    assert OutboxMessage.objects.count() == 0


def test_a_reimport_updates_and_never_duplicates():
    members_import(data=SAMPLE.read_bytes())
    changed = with_changes(
        4, name="Kenya Care Workers Union", contact_email="new@kdcwu.example.org"
    )

    report = members_import(data=to_csv(changed))

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 1, 11)
    assert Organisation.objects.count() == 12
    union = Organisation.objects.get(import_key="GAC-003")
    assert union.name == "Kenya Care Workers Union"
    assert union.contact_email == "new@kdcwu.example.org"
    # A third run of the same file changes nothing.
    again = members_import(data=to_csv(changed))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)


def test_a_reimport_without_an_optional_column_keeps_that_field():
    members_import(data=SAMPLE.read_bytes())
    rows = [{k: v for k, v in row.items() if k != "member_since"} for row in sample_rows()]

    report = members_import(data=to_csv(rows))

    assert report.ok and report.unchanged == 12
    assert Organisation.objects.get(import_key="GAC-001").member_since == date(2021, 3, 30)


def test_wrong_and_missing_columns_are_named_and_nothing_is_imported():
    rows = [
        {"organizacion" if k == "name" else k: v for k, v in row.items() if k != "contact_email"}
        | {"telefono": "+52 55 0000 0000"}
        for row in sample_rows()
    ]

    report = members_import(data=to_csv(rows))

    assert report.blocked and report.unreadable
    assert problems_of(report) == {
        (1, "organizacion"),
        (1, "telefono"),
        (1, "name"),
        (1, "contact_email"),
    }
    messages = " ".join(p.message for p in report.problems)
    assert "“organizacion”" in messages and "“contact_email” is missing" in messages
    assert Organisation.objects.count() == 0


def test_header_names_ignore_case_spaces_and_order():
    rows = sample_rows()
    columns = list(reversed(rows[0]))
    renamed = [{k.upper().replace("_", " "): row[k] for k in columns} for row in rows]

    report = members_import(data=to_csv(renamed))

    assert report.ok and Organisation.objects.count() == 12


def test_utf8_with_bom():
    report = members_import(data=to_csv(sample_rows(), encoding="utf-8-sig"))

    assert report.ok and report.encoding == "UTF-8 with BOM"
    assert Organisation.objects.get(import_key="GAC-008").name == "Jóvenes por los Cuidados"


def test_latin1_with_semicolons():
    rows = with_changes(7, name="Municipalidad de San Isidro - Sistema Local de Cuidados")
    data = to_csv(rows, delimiter=";", encoding="latin-1")

    report = members_import(data=data)

    assert report.ok, report.problems
    assert report.delimiter == ";" and report.encoding.startswith("Latin-1")
    assert Organisation.objects.get(import_key="GAC-008").name == "Jóvenes por los Cuidados"
    assert Organisation.objects.get(import_key="GAC-001").priority_areas == [
        "advocacy_multilateralism",
        "experience_exchange",
    ]


def test_a_spreadsheet_or_empty_file_is_refused():
    assert members_import(data=b"").problems[0].message == "The file is empty."
    xlsx = members_import(data=b"PK\x03\x04\x14\x00\x00\x00\x08\x00")
    assert xlsx.unreadable and "CSV UTF-8" in xlsx.problems[0].message


def test_unknown_country_and_constituency_are_row_problems():
    rows = with_changes(4, country="Narnia")
    rows[5]["constituency"] = "Church"  # row 7

    report = members_import(data=to_csv(rows))

    assert problems_of(report) == {(4, "country"), (7, "constituency")}
    assert "Narnia" in report.problems[0].message
    assert report.blocked and not report.written
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("contact_email", "not-an-email"),
        ("contact_email", ""),
        ("key", ""),
        ("language", "de"),
        ("priority_areas", "experience_exchange;gardening"),
        ("public_listing", "maybe"),
        ("member_since", "30/03/2021"),
        ("website", "not a website"),
        ("acronym", "X" * 31),
    ],
)
def test_bad_values_are_reported_by_row_and_column(column, value):
    report = members_import(data=to_csv(with_changes(5, **{column: value})), dry_run=True)

    assert problems_of(report) == {(5, column)}


def test_country_names_in_three_languages_and_without_accents():
    rows = sample_rows()[:4]
    for row, country in zip(rows, ["Mexique", "Kenia", "Peru", "Cote d’Ivoire"], strict=True):
        row["country"] = country

    report = members_import(data=to_csv(rows))

    assert report.ok, report.problems
    codes = Organisation.objects.order_by("import_key").values_list("country", flat=True)
    assert list(codes) == ["MX", "KE", "PE", "CI"]


def test_duplicate_rows_are_reported():
    rows = sample_rows()
    rows.append(dict(rows[2]))  # row 14 repeats row 4

    report = members_import(data=to_csv(rows))

    # Only the later row is refused, with its value and the first row's number.
    assert problems_of(report) == {(14, "key")}
    assert report.problems[0].message == (
        f"The key “{rows[2]['key']}” is already on row 4: only that first row is imported."
    )
    assert Organisation.objects.count() == 0  # all or nothing

    partial = members_import(data=to_csv(rows), partial=True)
    assert (partial.created, partial.bad_rows) == (12, 1)
    kept = Organisation.objects.get(import_key=rows[2]["key"])
    assert kept.name == rows[2]["name"]


def test_the_same_organisation_under_two_keys_is_reported():
    rows = sample_rows()
    rows.append(dict(rows[2], key="GAC-099"))

    report = members_import(data=to_csv(rows))

    assert problems_of(report) == {(14, "name")}
    assert f"“{rows[2]['name']}” (same country) is already on row 4" in report.problems[0].message
    partial = members_import(data=to_csv(rows), partial=True)
    assert partial.created == 12
    assert Organisation.objects.filter(import_key=rows[2]["key"]).exists()
    assert not Organisation.objects.filter(import_key="GAC-099").exists()


def test_a_member_already_in_the_database_without_the_key_is_reported():
    Organisation.objects.create(
        name="Kenya Domestic and Care Workers Union",
        constituency="trade_union",
        country="KE",
        contact_email="old@kdcwu.example.org",
        language="en",
    )

    report = members_import(data=SAMPLE.read_bytes())

    assert problems_of(report) == {(4, "name")}
    assert "GAC-003" in report.problems[0].message
    assert Organisation.objects.count() == 1


def test_all_or_nothing_unless_partial():
    data = to_csv(with_changes(4, country="Narnia"))

    nothing = members_import(data=data)
    assert nothing.blocked and Organisation.objects.count() == 0

    partial = members_import(data=data, partial=True)
    assert partial.written and not partial.blocked
    assert partial.created == 11 and partial.bad_rows == 1
    assert problems_of(partial) == {(4, "country")}
    assert not Organisation.objects.filter(import_key="GAC-003").exists()
    assert Organisation.objects.count() == 11


def test_a_row_the_database_refuses_undoes_the_whole_run(monkeypatch):
    original = Organisation.save

    def save(self, *args, **kwargs):
        if self.import_key == "GAC-005":
            raise IntegrityError("simulated")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Organisation, "save", save)

    report = members_import(data=SAMPLE.read_bytes())
    assert report.blocked and not report.written
    assert problems_of(report) == {(6, "")}
    assert Organisation.objects.count() == 0

    partial = members_import(data=SAMPLE.read_bytes(), partial=True)
    assert partial.created == 11 and Organisation.objects.count() == 11


# The command.


class Terminal(StringIO):
    def isatty(self):
        return True


def run_command(*args, terminal=False):
    out, err = (Terminal(), Terminal()) if terminal else (StringIO(), StringIO())
    call_command("import_members", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_shows_a_progress_bar_and_a_summary():
    out, err = run_command(str(SAMPLE), terminal=True)

    assert "Checking   [" in err and "Importing  [" in err
    assert "[" + "#" * 30 + "] 12/12" in err
    assert err.count("\r") == 24  # one redraw per row and phase
    assert "as UTF-8, columns separated by “,”" in out
    assert "Imported: 12 rows read; 12 created, 0 updated, 0 unchanged." in out
    assert Organisation.objects.count() == 12


def test_command_dry_run_writes_nothing():
    out, err = run_command(str(SAMPLE), "--dry-run")

    assert "Dry run, nothing was written. 12 rows read." in out
    assert "An import would create 12" in out
    assert "Importing" not in err
    assert Organisation.objects.count() == 0


def test_command_reports_problems_and_fails(tmp_path):
    bad = tmp_path / "members.csv"
    bad.write_bytes(to_csv(with_changes(4, country="Narnia")))
    out = StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_members", str(bad), stdout=out, stderr=StringIO())

    assert "row 4, country: Unknown country “Narnia”" in out.getvalue()
    assert Organisation.objects.count() == 0


def test_command_partial(tmp_path):
    bad = tmp_path / "members.csv"
    bad.write_bytes(to_csv(with_changes(4, country="Narnia")))

    out, _ = run_command(str(bad), "--partial")

    assert "row 4, country:" in out
    assert "Partial import: 12 rows read, 1 with problems; 11 created" in out
    assert Organisation.objects.count() == 11


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_command(str(tmp_path / "nope.csv"))


# The admin page.


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@alliance.test", "pw-root")
    client.force_login(user)
    client.user = user
    return client


def upload(client, data: bytes, name="members.csv"):
    return client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_admin_changelist_links_to_the_import(admin_client):
    html = admin_client.get(CHANGELIST_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert IMPORT_URL in html


def test_admin_shows_the_report_of_a_bad_file_and_imports_nothing(admin_client):
    response = upload(admin_client, to_csv(with_changes(4, country="Narnia")))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown country “Narnia”" in html
    assert "As it is, nothing would be imported" in html
    assert "Import the 11 valid rows only" in html
    assert Organisation.objects.count() == 0


def test_admin_refuses_wrong_columns_without_an_import_button(admin_client):
    rows = [
        {"organizacion" if k == "name" else k: v for k, v in row.items()} for row in sample_rows()
    ]
    html = upload(admin_client, to_csv(rows)).content.decode()

    assert "Unknown column “organizacion”" in html
    assert 'id="import-confirm"' not in html


def test_admin_checks_then_imports_a_good_file(admin_client):
    response = upload(admin_client, SAMPLE.read_bytes(), name="members_sample.csv")
    html = response.content.decode()
    assert "An import would create 12" in html
    assert "Import 12 rows of members_sample.csv" in html
    assert Organisation.objects.count() == 0
    token = response.context["token"]

    response = admin_client.post(IMPORT_URL, {"token": token, "partial": "0"}, follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST_URL
    assert Organisation.objects.count() == 12
    assert "12 created" in response.content.decode()
    entries = LogEntry.objects.filter(user=admin_client.user, action_flag=ADDITION)
    assert entries.count() == 12


def test_admin_partial_import_of_the_valid_rows(admin_client):
    response = upload(admin_client, to_csv(with_changes(4, country="Narnia")))

    admin_client.post(IMPORT_URL, {"token": response.context["token"], "partial": "1"})

    assert Organisation.objects.count() == 11


def test_admin_import_needs_a_checked_file(admin_client):
    response = admin_client.post(IMPORT_URL, {"token": "forged", "partial": "0"}, follow=True)

    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert Organisation.objects.count() == 0


def test_admin_import_needs_the_permissions(client, django_user_model):
    staff = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(staff)

    assert client.get(IMPORT_URL).status_code == 403


def test_a_row_longer_than_the_header_and_a_header_only_file():
    data = SAMPLE.read_bytes() + b"GAC-013,Red Andina,RA,youth,PE,,a@ra.example.org,es,,no,,extra\n"

    report = members_import(data=data, dry_run=True)
    assert problems_of(report) == {(14, "")}
    assert "12 cells but the header has 11" in report.problems[0].message

    header_only = members_import(data=SAMPLE.read_bytes().splitlines()[0])
    assert header_only.ok and header_only.rows == 0 and not header_only.written


def test_a_row_csv_cannot_read_is_reported():
    data = SAMPLE.read_bytes() + b'GAC-013,"' + b"x" * 200_000 + b'",,youth,PE,,a@ra.example.org\n'

    report = members_import(data=data, partial=True)

    assert report.unreadable and not report.written
    assert report.problems[0].message.startswith("Row 14 cannot be read as CSV")
    assert Organisation.objects.count() == 0
