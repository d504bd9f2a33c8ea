"""CSV exports for staff: letters with their status and dates, and members."""

import csv

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone

from applications.members.imports.columns import COLUMNS
from applications.models import Letter, Organisation
from applications.questions.models import QuestionTarget
from applications.questions.selectors import answer_columns, answer_text


class _Echo:
    def write(self, value):
        return value


def _csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM so that spreadsheet programs read UTF-8
        yield writer.writerow([_safe(value) for value in header])
        for row in rows:
            yield writer.writerow([_safe(value) for value in row])

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


def _when(value):
    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""


def letters_csv():
    """Letters with their state and dates, and a column per extra question ever
    asked on the letter form (the answer as given, in the staff's language)."""
    questions = answer_columns(QuestionTarget.LETTER)
    language = settings.STAFF_LANGUAGE
    letters = Letter.objects.order_by("pk").iterator(chunk_size=500)
    rows = (
        [
            letter.pk,
            letter.organisation_name,
            letter.acronym,
            letter.constituency,
            letter.country.code if letter.country else "",
            letter.contact_name,
            letter.contact_email,
            letter.language,
            letter.status,
            letter.revision,
            _when(letter.submitted_at),
            _when(letter.decided_at),
            _when(letter.onboarded_at),
            letter.duplicate_count,
            *(answer_text(letter.answers, question.pk, language) for question in questions),
        ]
        for letter in letters
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
    """Members in the import's own columns, so that an export can be imported again."""
    members = Organisation.objects.filter(member_since__isnull=False).order_by("name", "pk")
    rows = (
        [
            org.import_key or f"org-{org.pk}",
            org.name,
            org.acronym,
            org.constituency,
            org.country.code if org.country else "",
            org.website,
            org.contact_email,
            org.language,
            ";".join(org.priority_areas),
            "yes" if org.public_listing else "no",
            org.member_since.isoformat() if org.member_since else "",
        ]
        for org in members.iterator(chunk_size=500)
    )
    return _csv_response("members.csv", list(COLUMNS), rows)
