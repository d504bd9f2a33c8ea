"""Exports for staff: letters with their status and dates, and members (CSV, and
members with their contacts as XLSX).

Exports stream: rows are read from a server-side cursor (``iterator()``) as
plain tuples of the exported columns only, written a thousand at a time into a
small buffer and sent on, so memory stays flat and 200,000 letters go out in a
few seconds, well within a web worker's timeout.
"""

import csv
import io

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.members.imports.columns import COLUMNS
from applications.models import ContactRole, Letter, MemberContact, Organisation
from applications.questions.models import QuestionTarget
from applications.questions.selectors import answer_columns, answer_text

CHUNK_ROWS = 1000


def _csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # a BOM so that spreadsheet programs read UTF-8
        writer.writerow([_safe(value) for value in header])
        for number, row in enumerate(rows, 1):
            writer.writerow(row)
            if number % CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe(value):
    """Neutralise spreadsheet formulas in text typed by applicants (CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _when(zone):
    def when(value):
        return value.astimezone(zone).isoformat(timespec="minutes") if value else ""

    return when


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


def letters_csv():
    """Letters with their state and dates, and a column per extra question ever
    asked on the letter form (the answer as given, in the staff's language)."""
    when = _when(timezone.get_current_timezone())
    questions = answer_columns(QuestionTarget.LETTER)
    language = settings.STAFF_LANGUAGE
    letters = Letter.objects.order_by("pk").values_list(*LETTER_COLUMNS, "answers")
    # Only what people typed can hold a formula; keys, numbers and our own
    # dates cannot, and are written as they are.
    rows = (
        (
            pk,
            _safe(name),
            _safe(acronym),
            constituency,
            country,
            _safe(contact_name),
            _safe(contact_email),
            language_,
            status,
            revision,
            when(submitted),
            when(decided),
            when(onboarded),
            duplicates,
            *(_safe(answer_text(answers, question.pk, language)) for question in questions),
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
    header = [
        "id",
        "organisation",
        "acronym",
        "constituency",
        "country",
        "contact_name",
        "contact_email",
        "language",
        "status",
        "submission",
        "submitted_at",
        "decided_at",
        "onboarded_at",
        "possible_duplicates",
        *(f"question_{question.pk}: {question.label(language)}" for question in questions),
    ]
    return _csv_response("letters.csv", header, rows)


def members_csv():
    """Members in the import's own columns, so that an export can be imported again
    (with their contacts: the focal point's name, the others in ``contacts``)."""
    members = (
        Organisation.objects.filter(member_since__isnull=False)
        .order_by("name", "pk")
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

    def chunks(size=2000):
        chunk = []
        for values in members.iterator(chunk_size=size):
            chunk.append(values)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

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
                others.setdefault(org, []).append(f"{role}|{name}|{email}|{language}")
        return focal, others

    def rows_of():
        for chunk in chunks():
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
                    _safe(import_key) if import_key else f"org-{pk}",
                    _safe(name),
                    _safe(acronym),
                    constituency,
                    country,
                    _safe(website),
                    _safe(email),
                    language,
                    ";".join(areas),
                    "yes" if listed else "no",
                    since.isoformat() if since else "",
                    _safe(focal.get(pk, "")),
                    _safe(";".join(others.get(pk, ()))),
                )

    rows = rows_of()
    return _csv_response("members.csv", list(COLUMNS), rows)


def members_xlsx():
    """Members and their contacts as a workbook people can open in any language's
    spreadsheet: labels (constituency, country, role…) in the active language,
    real dates, and every text cell a string, never a formula (so nothing like
    "=HYPERLINK(…)" runs, and no guard character reaches a re-import).

    Two sheets: members (one row each) and contacts (one row per contact).
    """
    # openpyxl is loaded by the staff process that exports, not by every one.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from applications.choices import Constituency, Language, PriorityArea
    from applications.members.models import MembershipStatus
    from applications.regions import Region

    workbook = Workbook(write_only=True)

    def text(sheet, value):
        cell = WriteOnlyCell(sheet, value=str(value or ""))
        cell.data_type = "s"  # a string, even when it starts with "=", "+", "-" or "@"
        return cell

    labels = {
        "constituency": dict(Constituency.choices),
        "region": dict(Region.choices),
        "status": dict(MembershipStatus.choices),
        "area": dict(PriorityArea.choices),
        "language": dict(Language.choices),
        "role": dict(ContactRole.choices),
    }
    members = workbook.create_sheet(str(_("Members")))
    members.append(
        [
            text(members, str(heading))
            for heading in (
                _("Key"),
                _("Name"),
                _("Acronym"),
                _("Constituency"),
                _("Country"),
                _("Region"),
                _("Website"),
                _("Membership"),
                _("Member since"),
                _("Listed in the public directory"),
                _("Priority areas"),
            )
        ]
    )
    rows = Organisation.objects.filter(member_since__isnull=False).order_by("sort_name", "pk")
    for org in rows.iterator(chunk_size=2000):
        members.append(
            [
                text(members, org.import_key or f"org-{org.pk}"),
                text(members, org.name),
                text(members, org.acronym),
                text(members, labels["constituency"].get(org.constituency, org.constituency)),
                text(members, org.country.name),
                text(members, labels["region"].get(org.region, "")),
                text(members, org.website),
                text(members, labels["status"].get(org.membership_status, "")),
                org.member_since,
                text(members, _("yes") if org.public_listing else _("no")),
                text(members, "; ".join(str(labels["area"].get(a, a)) for a in org.priority_areas)),
            ]
        )
    contacts = workbook.create_sheet(str(_("Contacts")))
    contacts.append(
        [
            text(contacts, str(heading))
            for heading in (_("Member"), _("Role"), _("Name"), _("E-mail address"), _("Language"))
        ]
    )
    for contact in (
        MemberContact.objects.filter(organisation__member_since__isnull=False)
        .select_related("organisation")
        .order_by("organisation__sort_name", "organisation_id", "pk")
        .iterator(chunk_size=2000)
    ):
        contacts.append(
            [
                text(contacts, contact.organisation.name),
                text(contacts, labels["role"].get(contact.role, contact.role)),
                text(contacts, contact.name),
                text(contacts, contact.email),
                text(contacts, labels["language"].get(contact.language, contact.language)),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="members.xlsx"'
    return response
