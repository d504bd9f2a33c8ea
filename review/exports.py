"""Exports for staff: letters, members and contacts, each as CSV and as XLSX, and
the mailing list (contacts of active members, filtered).

Each export is a ``Table``: headings in the staff member's language and rows of
typed values (text, numbers, dates, aware datetimes). One writer turns a table
into CSV, the other into a workbook, so both carry the same labels and dates:
constituency, country, status, role and language by their names, never by their
keys (``trade_union``, ``AR``).

CSV is UTF-8 with a BOM, separated by ``;`` when the staff member reads in
Spanish or French (their spreadsheet programs take ``,`` as the decimal mark and
would open a comma-separated file as one column), by ``,`` in English. Text
typed by people gets the formula guard (a leading apostrophe before ``=``,
``+``, ``-``, ``@``…); the member import takes it off again, so that an export
imports back as it was. In a workbook every text is a string cell, never a
formula, and needs no guard.

Exports stream: rows are read from a server-side cursor (``iterator()``) as
plain tuples of the exported columns only; a CSV is written a thousand rows at
a time into a small buffer and sent on, a workbook is written a row at a time
into its compressed sheet and sent on every 64 KiB (``review/xlsx.py``), so
memory stays flat and 200,000 letters go out in seconds, the first bytes at once,
well within a web worker's timeout.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from applications.choices import Constituency, Language, LetterStatus, PriorityArea
from applications.members import selectors as member_selectors
from applications.members.imports.columns import COLUMNS, heading
from applications.members.models import MembershipStatus
from applications.models import ContactRole, Letter, MemberContact, Organisation
from applications.questions.models import QuestionTarget
from applications.questions.selectors import answer_columns, answer_text
from applications.regions import Region
from review import xlsx

CHUNK_ROWS = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The kinds of a column's values, which say how each writer puts them down: TEXT
# is typed by people (guarded in CSV), LABEL is ours (a choice's or country's name).
TEXT, NUMBER, DATE, DATETIME = xlsx.TEXT, xlsx.NUMBER, xlsx.DATE, xlsx.DATETIME
LABEL = "label"


@dataclass
class Table:
    """An export: its file name (without extension), sheet title, headings with
    the kind of each column, and its rows (an iterator, read once)."""

    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: Iterable[tuple]


def _safe(value):
    """Neutralise spreadsheet formulas in text typed by applicants (CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def delimiter(language: str | None = None) -> str:
    """``;`` for Spanish and French spreadsheets, ``,`` for English ones."""
    language = (language or translation.get_language() or "")[:2]
    return ";" if language in ("es", "fr") else ","


def _csv_formatters(columns) -> list[tuple[int, Callable]]:
    """(index, formatter) of the columns that need one: labels and numbers go as
    they are (the csv module writes None as an empty cell)."""
    zone = timezone.get_current_timezone()

    def moment(value):
        # A local date and time that every spreadsheet reads as one.
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    def day(value):
        return value.isoformat() if value else ""

    formatters = {TEXT: _safe, DATE: day, DATETIME: moment}
    return [(i, formatters[kind]) for i, (_h, kind) in enumerate(columns) if kind in formatters]


def csv_response(table: Table) -> StreamingHttpResponse:
    formatters = _csv_formatters(table.columns)
    separator = delimiter()

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=separator)
        buffer.write("\ufeff")  # a BOM so that spreadsheet programs read UTF-8
        writer.writerow([_safe(title) for title, _kind in table.columns])
        for number, values in enumerate(table.rows, 1):
            row = list(values)
            for index, format_ in formatters:
                row[index] = format_(row[index])
            writer.writerow(row)
            if number % CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    return response


def _sheet(table: Table):
    """The table as a sheet of ``review.xlsx``: labels are text as well, and times
    are local (spreadsheets have no time zones: the local time, as the CSV gives it)."""
    zone = timezone.get_current_timezone()
    kinds = [xlsx.TEXT if kind == LABEL else kind for _heading, kind in table.columns]
    moments = [i for i, kind in enumerate(kinds) if kind == DATETIME]

    def rows():
        for values in table.rows:
            if moments:
                values = list(values)
                for i in moments:
                    if values[i] is not None:
                        values[i] = values[i].astimezone(zone).replace(tzinfo=None)
            yield values

    columns = [
        (str(heading), kind) for (heading, _k), kind in zip(table.columns, kinds, strict=True)
    ]
    return str(table.title), columns, rows()


def xlsx_response(tables: list[Table], filename: str) -> StreamingHttpResponse:
    """The tables as the sheets of one workbook, sent as it is written. Headings and
    the time zone are taken now, in the staff member's language and zone; the rows
    are read as the workbook goes out."""
    sheets = [_sheet(table) for table in tables]
    response = StreamingHttpResponse(xlsx.workbook_chunks(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class Labels:
    """The names of the choices in the active language, looked up once per export."""

    def __init__(self):
        self.constituency = {k: str(v) for k, v in Constituency.choices}
        self.country = {code: str(name) for code, name in countries}
        self.status = {k: str(v) for k, v in LetterStatus.choices}
        self.membership = {k: str(v) for k, v in MembershipStatus.choices}
        self.region = {k: str(v) for k, v in Region.choices}
        self.area = {k: str(v) for k, v in PriorityArea.choices}
        self.language = dict(Language.choices)
        self.role = {k: str(v) for k, v in ContactRole.choices}
        self.yes, self.no = _("yes"), _("no")

    @staticmethod
    def of(mapping, key):
        return mapping.get(key, key) if key else ""


LETTER_COLUMNS = (
    "pk",
    "organisation_name",
    "acronym",
    "constituency",
    "country",
    "contact_name",
    "contact_email",
    "language",
    "status",
    "revision",
    "submitted_at",
    "decided_at",
    "onboarded_at",
    "duplicate_count",
)


def letters_table() -> Table:
    """Letters with their state and dates, and a column per extra question ever
    asked on the letter form (the answer as given, in the staff's language)."""
    labels = Labels()
    language = (translation.get_language() or "en")[:2]
    questions = answer_columns(QuestionTarget.LETTER)
    letters = Letter.objects.order_by("pk").values_list(*LETTER_COLUMNS, "answers")
    of = Labels.of
    rows = (
        (
            pk,
            name,
            acronym,
            of(labels.constituency, constituency),
            of(labels.country, country),
            contact_name,
            contact_email,
            of(labels.language, language_),
            of(labels.status, status),
            revision,
            submitted,
            decided,
            onboarded,
            duplicates,
            *(answer_text(answers, question.pk, language) for question in questions),
        )
        for (
            pk,
            name,
            acronym,
            constituency,
            country,
            contact_name,
            contact_email,
            language_,
            status,
            revision,
            submitted,
            decided,
            onboarded,
            duplicates,
            answers,
        ) in letters.iterator(chunk_size=2000)
    )
    columns = [
        (_("Number"), NUMBER),
        (_("Organisation"), TEXT),
        (_("Acronym"), TEXT),
        (_("Constituency"), LABEL),
        (_("Country"), LABEL),
        (_("Contact name"), TEXT),
        (_("Contact e-mail"), TEXT),
        (_("Language"), LABEL),
        (_("Status"), LABEL),
        (_("Submission"), NUMBER),
        (_("Submitted"), DATETIME),
        (_("Decided"), DATETIME),
        (_("Onboarded"), DATETIME),
        (_("Possible duplicates"), NUMBER),
        *(
            (
                _("Question %(number)s: %(label)s")
                % {"number": question.pk, "label": question.label(language)},
                TEXT,
            )
            for question in questions
        ),
    ]
    return Table("letters", str(_("Letters")), columns, rows)


def _chunks(queryset, size=2000):
    chunk = []
    for values in queryset.iterator(chunk_size=size):
        chunk.append(values)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def members_table() -> Table:
    """Members in the import's own columns, headed and labelled in the staff
    member's language, so that an export can be imported again (the import reads
    the headings and labels of the three languages; see ``members.imports``)."""
    labels = Labels()
    of = Labels.of
    members = (
        Organisation.objects.filter(member_since__isnull=False)
        .order_by("sort_name", "pk")
        .values_list(
            "import_key",
            "pk",
            "name",
            "acronym",
            "constituency",
            "country",
            "website",
            "contact_email",
            "language",
            "priority_areas",
            "public_listing",
            "member_since",
        )
    )

    def contacts_of(pks):
        focal, others = {}, {}
        for org, role, name, email, language in (
            MemberContact.objects.filter(organisation_id__in=pks)
            .order_by("organisation_id", "pk")
            .values_list("organisation_id", "role", "name", "email", "language")
        ):
            if role == ContactRole.FOCAL_POINT:
                focal[org] = name
            else:
                others.setdefault(org, []).append(
                    f"{of(labels.role, role)}|{name}|{email}|{of(labels.language, language)}"
                )
        return focal, others

    def rows():
        for chunk in _chunks(members):
            focal, others = contacts_of([values[1] for values in chunk])
            for (
                import_key,
                pk,
                name,
                acronym,
                constituency,
                country,
                website,
                email,
                language,
                areas,
                listed,
                since,
            ) in chunk:
                yield (
                    import_key or f"org-{pk}",
                    name,
                    acronym,
                    of(labels.constituency, constituency),
                    of(labels.country, country),
                    website,
                    email,
                    of(labels.language, language),
                    "; ".join(of(labels.area, area) for area in areas),
                    labels.yes if listed else labels.no,
                    since,
                    focal.get(pk, ""),
                    "; ".join(others.get(pk, ())),
                )

    columns = [(str(heading(name)), DATE if name == "member_since" else TEXT) for name in COLUMNS]
    return Table("members", str(_("Members")), columns, rows())


def members_sheet() -> Table:
    """Members one row each, for reading (the workbook's first sheet): with their
    region and membership, which the import does not take."""
    labels = Labels()
    of = Labels.of
    rows = (
        Organisation.objects.filter(member_since__isnull=False)
        .order_by("sort_name", "pk")
        .values_list(
            "import_key",
            "pk",
            "name",
            "acronym",
            "constituency",
            "country",
            "region",
            "website",
            "membership_status",
            "member_since",
            "public_listing",
            "priority_areas",
        )
    )
    columns = [
        (_("Key"), TEXT),
        (_("Name"), TEXT),
        (_("Acronym"), TEXT),
        (_("Constituency"), LABEL),
        (_("Country"), LABEL),
        (_("Region"), LABEL),
        (_("Website"), TEXT),
        (_("Membership"), LABEL),
        (_("Member since"), DATE),
        (_("Listed in the public directory"), LABEL),
        (_("Priority areas"), LABEL),
    ]
    return Table(
        "members",
        str(_("Members")),
        columns,
        (
            (
                key or f"org-{pk}",
                name,
                acronym,
                of(labels.constituency, constituency),
                of(labels.country, country),
                of(labels.region, region),
                website,
                of(labels.membership, status),
                since,
                labels.yes if listed else labels.no,
                "; ".join(of(labels.area, area) for area in areas),
            )
            for (
                key,
                pk,
                name,
                acronym,
                constituency,
                country,
                region,
                website,
                status,
                since,
                listed,
                areas,
            ) in rows.iterator(chunk_size=2000)
        ),
    )


CONTACT_COLUMNS = (
    "organisation__name",
    "organisation__acronym",
    "organisation__constituency",
    "organisation__country",
    "organisation__region",
    "organisation__membership_status",
    "role",
    "name",
    "email",
    "language",
)


def contacts_table(contacts=None, *, name="contacts", people=False) -> Table:
    """One row per contact with its member's constituency, country, region and
    membership: every member's contacts, or the ``contacts`` given (a queryset).
    With ``people``, one row per address of a member: a person who is, say, both
    its focal point and its communications contact is one row with both roles
    (a mailing list writes to each person once)."""
    if contacts is None:
        contacts = MemberContact.objects.filter(organisation__member_since__isnull=False)
    labels = Labels()
    of = Labels.of
    order = ["organisation__sort_name", "organisation_id", "pk"]
    if people:
        order.insert(2, Lower("email"))
    rows = contacts.order_by(*order).values_list("organisation_id", *CONTACT_COLUMNS)
    columns = [
        (_("Member"), TEXT),
        (_("Acronym"), TEXT),
        (_("Constituency"), LABEL),
        (_("Country"), LABEL),
        (_("Region"), LABEL),
        (_("Membership"), LABEL),
        (_("Role"), LABEL),
        (_("Name"), TEXT),
        (_("E-mail address"), TEXT),
        (_("Language"), LABEL),
    ]

    def row(values, roles):
        member, acronym, constituency, country, region, status, _role, person, email, language = (
            values
        )
        return (
            member,
            acronym,
            of(labels.constituency, constituency),
            of(labels.country, country),
            of(labels.region, region),
            of(labels.membership, status),
            ", ".join(of(labels.role, role) for role in roles),
            person,
            email,
            of(labels.language, language),
        )

    def lines():
        held, roles, key = None, [], None
        for organisation_id, *values in rows.iterator(chunk_size=2000):
            this = (organisation_id, values[8].lower()) if people else None
            if held is not None and this is not None and this == key:
                if values[6] not in roles:
                    roles.append(values[6])
                continue
            if held is not None:
                yield row(held, roles)
            held, roles, key = values, [values[6]], this
        if held is not None:
            yield row(held, roles)

    return Table(name, str(_("Contacts")), columns, lines())


def mailing_list(*, constituency="", region="", language="", role=""):
    """The contacts of active members, filtered by their member's constituency and
    region and by their own language and role (each optional)."""
    contacts = MemberContact.objects.filter(organisation__in=member_selectors.members())
    if constituency:
        contacts = contacts.filter(organisation__constituency=constituency)
    if region:
        contacts = contacts.filter(organisation__region=region)
    if language:
        contacts = contacts.filter(language=language)
    if role:
        contacts = contacts.filter(role=role)
    return contacts


def people_count(contacts) -> int:
    """How many people the contacts are: one per address of a member."""
    return (
        contacts.annotate(address=Lower("email"))
        .values("organisation_id", "address")
        .distinct()
        .count()
    )


def letters_csv():
    return csv_response(letters_table())


def letters_xlsx():
    return xlsx_response([letters_table()], "letters.xlsx")


def members_csv():
    return csv_response(members_table())


def contacts_csv():
    return csv_response(contacts_table())


def members_xlsx():
    """Members and their contacts as a workbook people can open in any language's
    spreadsheet: two sheets, members (one row each) and contacts (one row per
    contact)."""
    return xlsx_response([members_sheet(), contacts_table()], "members.xlsx")
