"""Staff exports of letters, members and contacts (CSV and XLSX) and the mailing
list, opened back as a spreadsheet would and checked cell by cell."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from applications.choices import Constituency, LetterStatus
from applications.members.imports import members_import
from applications.models import Letter, Organisation
from tests import factories

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[1] / "applications" / "members" / "members_sample.csv"
SEPARATOR = {"es": ";", "en": ",", "fr": ";"}


def in_language(client, language):
    client.cookies["django_language"] = language


def body_of(response) -> str:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    return raw.decode("utf-8")[1:]


def table(response, language) -> list[list[str]]:
    """The CSV as its rows, read with the separator of ``language``'s spreadsheets;
    read with any other separator it would be one column."""
    text = body_of(response)
    rows = list(csv.reader(io.StringIO(text), delimiter=SEPARATOR[language]))
    assert len(rows[0]) > 5, rows[0]
    other = "," if SEPARATOR[language] == ";" else ";"
    assert len(next(csv.reader(io.StringIO(text), delimiter=other))) < len(rows[0])
    return rows


def dicts(response, language) -> list[dict]:
    header, *rows = table(response, language)
    return [dict(zip(header, row, strict=True)) for row in rows]


def label(choice, language):
    with translation.override(language):
        return str(choice.label)


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def values(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


# Letters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "headings", "country"),
    [
        ("en", ["Number", "Organisation", "Acronym", "Constituency", "Country"], "Mexico"),
        ("es", ["Número", "Organización", "Sigla", "Sector", "País"], "México"),
        ("fr", ["Numéro", "Organisation", "Sigle", "Secteur", "Pays"], "Mexique"),
    ],
)
def test_letters_csv_speaks_the_staff_language(
    client, reviewer, make_letter, language, headings, country
):
    approved = make_letter("approved", organisation_name="=HYPERLINK(1)", constituency="youth")
    make_letter("submitted", organisation_name="Red Sur")
    client.force_login(reviewer)
    in_language(client, language)
    response = client.get(reverse("review:export_letters"))
    assert response["Content-Disposition"] == 'attachment; filename="letters.csv"'
    rows = table(response, language)
    assert rows[0][:5] == headings
    first, second = rows[1], rows[2]
    assert first[1] == "'=HYPERLINK(1)"  # the formula guard
    assert first[3] == label(Constituency.YOUTH, language) and first[3] != "youth"
    assert first[4] == country
    assert first[8] == label(LetterStatus.APPROVED, language) and first[8] != "approved"
    assert second[8] == label(LetterStatus.SUBMITTED, language)
    decided = timezone.localtime(approved.decided_at).strftime("%Y-%m-%d %H:%M")
    assert first[11] == decided and second[11] == ""  # a date a spreadsheet reads


def test_letters_export_streams_every_row_as_a_straightforward_export_would(
    client, reviewer, make_letter, settings
):
    """2,500 letters (several chunks of the stream), in another time zone: each
    row as the model's own fields give it, in English."""
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
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def safe(text):
        text = str(text)
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    expected = [
        {
            "Number": str(x.pk),
            "Organisation": safe(x.organisation_name),
            "Acronym": safe(x.acronym),
            "Constituency": x.get_constituency_display(),
            "Country": x.country.name,
            "Contact name": x.contact_name,
            "Contact e-mail": x.contact_email,
            "Language": x.get_language_display(),
            "Status": x.get_status_display(),
            "Submission": str(x.revision),
            "Submitted": when(x.submitted_at),
            "Decided": when(x.decided_at),
            "Onboarded": when(x.onboarded_at),
            "Possible duplicates": str(x.duplicate_count),
        }
        for x in Letter.objects.order_by("pk")
    ]
    client.force_login(reviewer)
    in_language(client, "en")
    response = client.get(reverse("review:export_letters"))
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3  # sent as it is read, not built whole first
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.DictReader(io.StringIO(text[1:]))) == expected
    onboarded = Letter.objects.order_by("pk").first().onboarded_at
    assert expected[0]["Onboarded"] == timezone.localtime(onboarded).strftime("%Y-%m-%d %H:%M")
    assert onboarded.astimezone(datetime.UTC).strftime("%H") != expected[0]["Onboarded"][11:13]


def test_letters_workbook_is_checked_cell_by_cell(client, reviewer, make_letter):
    letter = make_letter("approved", organisation_name="=Suma", constituency="trade_union")
    client.force_login(reviewer)
    in_language(client, "fr")
    response = client.get(reverse("review:export_letters_xlsx"))
    assert response.status_code == 200
    book = workbook(response)
    sheet = book[book.sheetnames[0]]
    header, row = values(sheet)
    assert header[:5] == ["Numéro", "Organisation", "Sigle", "Secteur", "Pays"]
    assert row[0] == letter.pk  # a number cell
    assert row[1] == "=Suma" and sheet["B2"].data_type == "s"  # text, no guard
    assert row[3] == label(Constituency.TRADE_UNION, "fr") and row[4] == "Mexique"
    assert row[8] == label(LetterStatus.APPROVED, "fr")
    decided = timezone.localtime(Letter.objects.get(pk=letter.pk).decided_at)
    assert isinstance(row[11], datetime.datetime)  # a real date cell, local time
    assert abs(row[11] - decided.replace(tzinfo=None)) < datetime.timedelta(milliseconds=1)
    assert row[12] is None  # not onboarded


# Members ------------------------------------------------------------------------


def test_members_export_lists_members_only(client, reviewer, make_letter):
    make_letter("onboarded", organisation_name="Miembro")
    make_letter("submitted", organisation_name="Candidata")
    client.force_login(reviewer)
    in_language(client, "es")
    data = dicts(client.get(reverse("review:export_members")), "es")
    assert [row["Nombre"] for row in data] == ["Miembro"]
    assert data[0]["En el directorio público"] == "sí"
    assert data[0]["País"] == "México"


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_members_export_imports_again_unchanged(client, reviewer, language):
    first = members_import(data=SAMPLE.read_bytes())
    assert first.ok and first.created > 0
    client.force_login(reviewer)
    in_language(client, language)
    exported = b"".join(client.get(reverse("review:export_members")).streaming_content)
    assert b"national_government" not in exported  # labels, not keys
    again = members_import(data=exported, dry_run=True)
    assert again.ok, again.problems
    assert again.delimiter == SEPARATOR[language]
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_formula_guarded_values_import_back_as_they_were(client, reviewer, language):
    """The export guards "=Gamma" as "'=Gamma"; the import takes the guard off:
    the member comes back with its own name, not with an apostrophe."""
    member = factories.member(
        name="=Gamma", acronym="-G", import_key="GAC-7", website="https://gamma.example.org"
    )
    member.contacts.filter(role="focal_point").update(name="+Ana")
    client.force_login(reviewer)
    in_language(client, language)
    exported = b"".join(client.get(reverse("review:export_members")).streaming_content)
    row = table_from_bytes(exported, language)[1]
    assert row[1] == "'=Gamma" and row[2] == "'-G"  # guarded in the file
    assert members_import(data=exported, dry_run=True).unchanged == 1
    Organisation.objects.filter(pk=member.pk).update(name="Otro", acronym="O")
    report = members_import(data=exported)
    assert report.ok and report.updated == 1, report.problems
    member.refresh_from_db()
    assert (member.name, member.acronym) == ("=Gamma", "-G")
    assert member.contacts.get(role="focal_point").name == "+Ana"


def table_from_bytes(data: bytes, language) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=SEPARATOR[language]))


def test_members_export_streams_the_members_fields(client, reviewer):
    first = factories.member(
        name="Alfa",
        priority_areas=["communication", "outreach_sustainability"],
        public_listing=True,
    )
    second = factories.member(name="Beta", import_key="GAC-9", country="KE", member_since=None)
    third = factories.member(name="=Gamma", acronym="-G", country="FR")
    client.force_login(reviewer)
    in_language(client, "en")
    data = dicts(client.get(reverse("review:export_members")), "en")
    # In the order of the folded name ("=gamma" before "alfa"), as the staff list has it.
    assert [row["Key"] for row in data] == [f"org-{third.pk}", f"org-{first.pk}"]
    gamma, alfa = data
    assert gamma["Name"] == "'=Gamma" and gamma["Acronym"] == "'-G"
    assert alfa["Priority areas"] == (
        "Communication; Outreach, promotion and sustainability of the Alliance"
    )
    assert alfa["Listed in the public directory"] == "yes"
    assert gamma["Listed in the public directory"] == "no"
    assert alfa["Member since"] == "2024-01-15" and alfa["Country"] == "Mexico"
    assert alfa["Focal point's language"] == "Español"
    assert second.import_key not in [row["Key"] for row in data]


def test_members_workbook_is_checked_cell_by_cell(client, reviewer):
    """Opened back with openpyxl: labels in the staff member's language, real dates,
    and a name that looks like a formula kept as text, without a guard character."""
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
    in_language(client, "es")
    response = client.get(reverse("review:export_members_xlsx"))
    assert response.status_code == 200
    book = workbook(response)
    assert book.sheetnames == ["Integrantes", "Contactos"]
    members = values(book["Integrantes"])
    assert members[0][:4] == ["Clave", "Nombre", "Sigla", "Sector"]
    assert len(members) == 2  # the candidate is no member
    row = members[1]
    assert row[1] == "=Gamma" and row[2] == "-G"
    assert book["Integrantes"]["B2"].data_type == "s"  # text, not a formula
    assert row[3] == "Sindicato" and row[4] == "Francia" and row[5] == "Europa"
    assert row[7] == "Activa"
    assert row[8] == datetime.datetime(2021, 7, 1)  # a real date cell
    assert row[9] == "sí" and row[10] == "Comunicación"
    contacts = values(book["Contactos"])
    assert contacts[0] == [
        "Integrante",
        "Sigla",
        "Sector",
        "País",
        "Región",
        "Membresía",
        "Función",
        "Nombre",
        "Dirección de correo",
        "Idioma",
    ]
    assert [r[6:] for r in contacts[1:]] == [
        ["Punto focal", None, "focal@gamma.example.org", "Español"],
        ["Comunicación", "Lu", "lu@gamma.example.org", "Français"],
    ]
    assert contacts[1][:6] == ["=Gamma", "-G", "Sindicato", "Francia", "Europa", "Activa"]


# Contacts and the mailing list ---------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_contacts_csv_has_one_row_per_contact_with_labels(client, reviewer, language):
    member = factories.member(name="Red Kenia", country="KE", constituency="trade_union")
    member.contacts.create(
        role="committee_delegate", name="Wanjiru", email="w@k.org", language="en"
    )
    client.force_login(reviewer)
    in_language(client, language)
    response = client.get(reverse("review:export_contacts"))
    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    rows = table(response, language)
    assert len(rows) == 3
    with translation.override(language):
        from applications.members.models import ContactRole
        from applications.regions import Region

        assert rows[2] == [
            "Red Kenia",
            "",
            str(Constituency.TRADE_UNION.label),
            {"es": "Kenia", "en": "Kenya", "fr": "Kenya"}[language],
            str(Region.AFRICA.label),
            {"es": "Activa", "en": "Active", "fr": "Active"}[language],
            str(ContactRole.COMMITTEE_DELEGATE.label),
            "Wanjiru",
            "w@k.org",
            "English",
        ]


@pytest.fixture
def roll(reviewer):
    """Four members: contacts in several roles, languages, regions; one ended."""
    from applications.members import services

    mx = factories.member(name="Red México", country="MX", constituency="civil_society")
    mx.contacts.create(role="communications", name="Eva", email="eva@mx.org", language="es")
    ke = factories.member(
        name="Union Kenya", country="KE", constituency="trade_union", language="en"
    )
    ke.contacts.create(role="committee_delegate", name="Otieno", email="o@ke.org", language="en")
    fr = factories.member(
        name="Fondation", country="FR", constituency="philanthropy", language="fr"
    )
    gone = factories.member(name="Terminada", country="MX", constituency="civil_society")
    services.member_end(organisation=gone, by=services.Actor(user=reviewer), reason="cierre")
    return {"mx": mx, "ke": ke, "fr": fr, "gone": gone}


def mailing(client, **query):
    return client.get(reverse("review:mailing_list"), query)


def emails_of(response, language="en"):
    return sorted(row[8] for row in table(response, language)[1:])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {},
            [
                "contacto@miembro1.example.org",
                "contacto@miembro2.example.org",
                "contacto@miembro3.example.org",
                "eva@mx.org",
                "o@ke.org",
            ],
        ),
        ({"constituency": "trade_union"}, ["contacto@miembro2.example.org", "o@ke.org"]),
        ({"region": "latin_america_caribbean"}, ["contacto@miembro1.example.org", "eva@mx.org"]),
        ({"language": "en"}, ["contacto@miembro2.example.org", "o@ke.org"]),
        ({"role": "communications"}, ["eva@mx.org"]),
        ({"role": "focal_point", "region": "europe"}, ["contacto@miembro3.example.org"]),
    ],
)
def test_mailing_list_filters(client, reviewer, roll, filters, expected):
    client.force_login(reviewer)
    in_language(client, "en")
    response = mailing(client, **filters, format="csv")
    assert response["Content-Disposition"] == 'attachment; filename="mailing-list.csv"'
    assert emails_of(response) == expected  # never the ended member's contact


def test_mailing_list_as_a_workbook_in_spanish(client, reviewer, roll):
    client.force_login(reviewer)
    in_language(client, "es")
    response = mailing(client, role="committee_delegate", format="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="mailing-list.xlsx"'
    rows = values(workbook(response).worksheets[0])
    assert rows[0][6:] == ["Función", "Nombre", "Dirección de correo", "Idioma"]
    assert rows[1:] == [
        [
            "Union Kenya",
            None,
            "Sindicato",
            "Kenia",
            "África",
            "Activa",
            "Delegado/a al Comité",
            "Otieno",
            "o@ke.org",
            "English",
        ]
    ]


def test_mailing_list_page_counts_and_says_when_nothing_matches(client, reviewer, roll):
    client.force_login(reviewer)
    in_language(client, "en")
    page = mailing(client)
    assert page.status_code == 200 and "5 contacts match." in page.content.decode()
    empty = mailing(client, constituency="academia", format="csv")
    assert empty.status_code == 200 and not empty.streaming  # no empty file
    html = empty.content.decode()
    assert "No contact matches these filters" in html
    assert '<option value="academia" selected>' in html  # the choice is kept


def test_a_person_in_two_roles_is_one_line_of_the_mailing_list(client, reviewer, roll):
    """Eva is Red México's communications contact and, under another spelling of the
    same address, its committee delegate: one line with both roles, counted once."""
    roll["mx"].contacts.create(
        role="committee_delegate", name="Eva", email="Eva@MX.org", language="es"
    )
    client.force_login(reviewer)
    in_language(client, "en")
    assert "5 contacts match." in mailing(client).content.decode()
    rows = table(mailing(client, format="csv"), "en")[1:]
    eva = [row for row in rows if row[8].lower() == "eva@mx.org"]
    assert len(rows) == 5 and len(eva) == 1
    assert eva[0][6] == "Communications, Committee delegate"
    # Asked for one role, the line says only that one.
    delegates = table(mailing(client, role="committee_delegate", format="csv"), "en")[1:]
    assert sorted((row[8], row[6]) for row in delegates) == [
        ("Eva@MX.org", "Committee delegate"),
        ("o@ke.org", "Committee delegate"),
    ]
    # The contacts export keeps one row per contact (it imports back as it is).
    contacts = table(client.get(reverse("review:export_contacts")), "en")[1:]
    assert len([row for row in contacts if row[8].lower() == "eva@mx.org"]) == 2


def test_mailing_list_refuses_a_bad_filter_with_the_reason(client, reviewer, roll):
    client.force_login(reviewer)
    in_language(client, "en")
    response = mailing(client, region="atlantis", role="communications", format="xlsx")
    assert response.status_code == 200 and not response.streaming
    html = response.content.decode()
    assert "Select a valid choice. atlantis is not one of the available choices." in html
    assert '<option value="communications" selected>' in html


def test_exports_need_a_staff_role(client, make_letter):
    client.force_login(User.objects.create_user("outsider"))
    for name in (
        "export_letters",
        "export_letters_xlsx",
        "export_members",
        "export_members_xlsx",
        "export_contacts",
        "mailing_list",
    ):
        assert client.get(reverse(f"review:{name}")).status_code == 403, name
    client.logout()
    assert client.get(reverse("review:export_members")).status_code == 302
