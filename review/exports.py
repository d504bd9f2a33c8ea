"""CSV exports for staff: letters with their status and dates, and members.

Exports stream: rows are read from a server-side cursor (``iterator()``) as
plain tuples of the exported columns only, written a thousand at a time into a
small buffer and sent on, so memory stays flat and 200,000 letters go out in a
few seconds, well within a web worker's timeout.
"""

import csv
import io

from django.http import StreamingHttpResponse
from django.utils import timezone

from applications.models import Letter, Organisation

CHUNK_ROWS = 1000


def _csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # a BOM so that spreadsheet programs read UTF-8
        writer.writerow(header)
        for number, row in enumerate(rows, 1):
            writer.writerow([_safe(value) for value in row])
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
    when = _when(timezone.get_current_timezone())
    letters = Letter.objects.order_by("pk").values_list(*LETTER_COLUMNS)
    rows = (
        (*row[:10], when(row[10]), when(row[11]), when(row[12]), row[13])
        for row in letters.iterator(chunk_size=2000)
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
    ]
    return _csv_response("letters.csv", header, rows)


def members_csv():
    """Members in the import's own columns, so that an export can be imported again."""
    from applications.imports import COLUMNS

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
    rows = (
        (
            import_key or f"org-{pk}",
            *rest,
            ";".join(areas),
            "yes" if listed else "no",
            since.isoformat() if since else "",
        )
        for import_key, pk, *rest, areas, listed, since in members.iterator(chunk_size=2000)
    )
    return _csv_response("members.csv", list(COLUMNS), rows)
