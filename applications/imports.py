"""Import of today's members from a CSV file (the roll kept before this app).

One row per member organisation; the columns are listed in ``COLUMN_HELP``
(shown on the admin's import page and in the README). Optional columns may be
left out of the file: a re-import then leaves those fields of existing members
as they are. Files may be UTF-8 (with or without a BOM), Windows-1252 or
Latin-1, separated by ``,`` or ``;``.

Every row is checked before anything is written. By default a run is all or
nothing: one problem and no row is written. With ``partial=True`` the valid rows
are written and the others reported. Importing never sends email.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django_countries import countries

from applications import directory_cache

from . import matching
from .choices import Constituency, Language, PriorityArea
from .models import Organisation

COLUMNS = (
    "key",
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
REQUIRED_COLUMNS = ("key", "name", "constituency", "country", "contact_email")
COLUMN_HELP = (
    ("key", _lazy("Stable id of the member in the old roll; a re-import updates it.")),
    ("name", _lazy("Organisation name.")),
    ("acronym", _lazy("Short name.")),
    (
        "constituency",
        _lazy("A constituency key (civil_society, trade_union…) or its English or Spanish name."),
    ),
    (
        "country",
        _lazy("Two-letter ISO code (MX, KE) or the name in English, Spanish or French."),
    ),
    ("website", _lazy("Web address; https:// is added if missing.")),
    ("contact_email", _lazy("E-mail address of the member's contact.")),
    ("language", _lazy("es, en or fr (default es).")),
    ("priority_areas", _lazy("Priority area keys separated by “;”.")),
    ("public_listing", _lazy("yes/no (sí, true/false, 1/0; default no).")),
    ("member_since", _lazy("Date the organisation joined, YYYY-MM-DD.")),
)

# UTF-8 first (the BOM that Excel writes is dropped), then Windows-1252, which is
# what Excel's plain "CSV" writes on Windows: it decodes every Latin-1 letter the
# same way and also the curly quotes and dashes that Latin-1 would turn into
# control characters. Latin-1 last, because it decodes any byte.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS = ",;\t"
TRUE = {"yes", "y", "si", "true", "1", "x", "oui"}
FALSE = {"no", "n", "false", "0", "non", ""}
# Common names that django-countries does not know, folded (see _fold).
COUNTRY_ALIASES = {
    "united states": "US",
    "estados unidos de america": "US",
    "etats-unis": "US",
    "etats unis": "US",
    "uk": "GB",
    "great britain": "GB",
    "ivory coast": "CI",
}
# The languages whose labels and country names a file may use.
LOOKUP_LANGUAGES = ("en", "es", "fr")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Problem:
    """Something wrong in the file: ``row`` as a spreadsheet numbers it (the
    header is row 1), or None for the file as a whole; ``field`` is a column."""

    row: int | None
    field: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    partial: bool
    encoding: str = ""
    delimiter: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> int:
        """Data rows with at least one problem (they are never written)."""
        return len({p.row for p in self.problems if p.row is not None and p.row > 1})

    @property
    def valid(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def unreadable(self) -> bool:
        """A problem with the file or its header: no row can be imported."""
        return any(p.row is None or p.row == 1 for p in self.problems)

    @property
    def blocked(self) -> bool:
        """True when nothing is (or would be) imported: the file is unreadable,
        or a row has a problem in an all-or-nothing run."""
        return self.unreadable or (bool(self.problems) and not self.partial)


@dataclass
class _Row:
    number: int
    values: dict


def members_import(
    *,
    data: bytes,
    dry_run: bool = False,
    partial: bool = False,
    by=None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check a CSV of members and create or update their organisations.

    Before: nothing; any bytes are accepted and problems are reported, never raised.
    Changes: unless ``dry_run``, in one transaction, creates an ``Organisation``
    per new ``key`` and updates the one whose ``import_key`` matches; if any row
    has a problem nothing is written, unless ``partial``, which writes the valid
    rows. Writes an admin log entry per changed organisation when ``by`` (a
    user) is given. ``created``/``updated``/``unchanged`` count what was (or, in a
    dry run, would be) written.
    Sends: nothing.
    ``progress(phase, done, total)`` is called per row, phase "check" or "write".
    """
    report = ImportReport(dry_run=dry_run, partial=partial)
    text = _decode(data, report)
    if text is None:
        return report
    header, records = _read(text, report)
    if report.blocked or header is None:
        return report

    checker = _Checker(header)
    rows: list[_Row] = []
    for done, (number, cells) in enumerate(records, 1):
        row = checker.check(number, cells, report)
        if row is not None:
            rows.append(row)
        if progress:
            progress("check", done, len(records))
    rows = _drop_duplicates(rows, report)
    rows = _drop_known_elsewhere(rows, report)

    if dry_run or (report.problems and not partial) or not rows:
        _count(rows, _existing(rows), report)
        return report
    _write(rows, report, by=by, progress=progress)
    return report


# Reading the file.


def _decode(data: bytes, report: ImportReport) -> str | None:
    if not data.strip():
        report.problems.append(Problem(None, "", _("The file is empty.")))
        return None
    if b"\x00" in data:
        # UTF-16 text or a spreadsheet (.xlsx, .ods): not something csv can read.
        report.problems.append(
            Problem(
                None,
                "",
                _(
                    "This is not a CSV text file (a spreadsheet, or UTF-16 text?). "
                    "Save it as “CSV UTF-8” and try again."
                ),
            )
        )
        return None
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig":
            report.encoding = "UTF-8 with BOM" if data.startswith(codecs.BOM_UTF8) else "UTF-8"
        else:
            report.encoding = {"cp1252": "Latin-1 (Windows-1252)", "latin-1": "Latin-1"}[encoding]
        return text
    raise AssertionError("latin-1 decodes any byte")  # pragma: no cover


def _column(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", (name or "").replace("\ufeff", "").strip().lower())


def _delimiter(text: str) -> str:
    """The delimiter csv.Sniffer finds, unless another one splits the header
    into more of our columns (a sniffer can be fooled by commas in names)."""
    header = text.lstrip().splitlines()[0] if text.strip() else ""

    def known(delimiter: str) -> int:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return len({_column(cell) for cell in cells} & set(COLUMNS))

    try:
        sniffed = csv.Sniffer().sniff(text[:65536], delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","
    best = max(DELIMITERS, key=known)
    return sniffed if known(sniffed) >= known(best) else best


def _read(text: str, report: ImportReport) -> tuple[list[str] | None, list[tuple[int, list]]]:
    """The header's column names and the non-empty data rows with their numbers."""
    report.delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=report.delimiter)
    header = None
    records: list[tuple[int, list]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, 1):
            if header is None:
                if not any(cell.strip() for cell in cells):
                    continue  # blank lines above the header
                header = [_column(cell) for cell in cells]
                continue
            if any(cell.strip() for cell in cells):
                records.append((number, cells))
    except csv.Error as error:
        report.problems.append(
            Problem(
                None,
                "",
                _("Row %(row)s cannot be read as CSV: %(error)s")
                % {"row": number + 1, "error": error},
            )
        )
        return None, []
    if header is None:
        report.problems.append(Problem(None, "", _("The file is empty.")))
        return None, []
    _check_header(header, report)
    report.rows = len(records)
    return header, records


def _check_header(header: list[str], report: ImportReport) -> None:
    expected = ", ".join(COLUMNS)
    seen = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            report.problems.append(
                Problem(1, name, _("This column appears more than once in the header."))
            )
        seen.add(name)
        if name not in COLUMNS:
            report.problems.append(
                Problem(
                    1,
                    name,
                    _("Unknown column “%(name)s”. The columns are: %(expected)s.")
                    % {"name": name, "expected": expected},
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            report.problems.append(
                Problem(1, name, _("The required column “%(name)s” is missing.") % {"name": name})
            )


# Checking the rows.


def _fold(text: str) -> str:
    """Without case, accents, curly apostrophes or repeated spaces."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def _choice_index(choices) -> dict[str, str]:
    """Folded key and label (in each lookup language) -> key."""
    index = {}
    for language in LOOKUP_LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                index[_fold(label)] = value
    for value in choices.values:
        index[_fold(value)] = value
    return index


def _country_index() -> dict[str, str]:
    index: dict[str, str | None] = {}

    def add(name, code):
        key = _fold(name)
        # A name that two languages give to different countries is not a match.
        index[key] = code if index.get(key, code) == code else None

    for language in LOOKUP_LANGUAGES:
        with translation.override(language):
            for country in countries:
                add(country.name, country.code)
    for code, names in getattr(countries, "shadowed_names", {}).items():
        for name in names:
            add(name, code)
    for name, code in COUNTRY_ALIASES.items():
        add(name, code)
    return {key: code for key, code in index.items() if code}


class _Checker:
    """Turns the cells of one row into model values, or problems."""

    def __init__(self, header: list[str]):
        self.header = header
        self.constituencies = _choice_index(Constituency)
        self.priority_areas = _choice_index(PriorityArea)
        self.languages = {_fold(value): value for value in Language.values}
        self.languages.update({_fold(label): value for value, label in Language.choices})
        self.country_codes = {country.code for country in countries}
        self.country_names: dict[str, str] | None = None
        self.country_cache: dict[str, str] = {}
        self.max_length = {
            name: Organisation._meta.get_field(name).max_length
            for name in ("name", "acronym", "website", "contact_email")
        }
        self.max_length["key"] = Organisation._meta.get_field("import_key").max_length

    def check(self, number: int, cells: list, report: ImportReport) -> _Row | None:
        problems: list[Problem] = []

        def problem(column: str, message: str) -> None:
            problems.append(Problem(number, column, message))

        if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header) :]):
            problem(
                "",
                _("This row has %(cells)s cells but the header has %(columns)s columns.")
                % {"cells": len(cells), "columns": len(self.header)},
            )
        raw = {
            name: (cells[i] if i < len(cells) else "").strip()
            for i, name in enumerate(self.header)
            if name in COLUMNS
        }
        values = {}
        for name, cell in raw.items():
            if name in REQUIRED_COLUMNS and not cell:
                problem(name, _("This value is required."))
                continue
            try:
                values[name] = getattr(self, f"clean_{name}")(cell)
            except ValidationError as error:
                problem(name, " ".join(error.messages))
        report.problems.extend(problems)
        return None if problems else _Row(number, values)

    def _text(self, name: str, value: str) -> str:
        limit = self.max_length[name]
        if len(value) > limit:
            raise ValidationError(
                _("At most %(limit)s characters (this has %(length)s).")
                % {"limit": limit, "length": len(value)}
            )
        return value

    def clean_key(self, value: str) -> str:
        return self._text("key", value)

    def clean_name(self, value: str) -> str:
        return self._text("name", " ".join(value.split()))

    def clean_acronym(self, value: str) -> str:
        return self._text("acronym", value)

    def clean_constituency(self, value: str) -> str:
        try:
            return self.constituencies[_fold(value)]
        except KeyError:
            raise ValidationError(
                _("Unknown constituency “%(value)s”. Use one of: %(keys)s.")
                % {"value": value, "keys": ", ".join(Constituency.values)}
            ) from None

    def clean_country(self, value: str) -> str:
        if value not in self.country_cache:
            self.country_cache[value] = self._country(value)
        if not self.country_cache[value]:
            raise ValidationError(
                _(
                    "Unknown country “%(value)s”. Use its two-letter ISO code (MX, KE, FR) "
                    "or its name in English, Spanish or French."
                )
                % {"value": value}
            )
        return self.country_cache[value]

    def _country(self, value: str) -> str:
        if len(value) == 2 and value.upper() in self.country_codes:
            return value.upper()
        if len(value) == 3 and value.isalpha() and countries.alpha2(value):
            return countries.alpha2(value)
        for language in LOOKUP_LANGUAGES:
            code = countries.by_name(value, language=language)
            if code:
                return code
        # Without accents or with another apostrophe: "Peru", "Cote d’Ivoire".
        if self.country_names is None:
            self.country_names = _country_index()
        return self.country_names.get(_fold(value), "")

    def clean_website(self, value: str) -> str:
        if not value:
            return ""
        if not re.match(r"^[a-z][a-z0-9+.\-]*://", value, re.IGNORECASE):
            value = "https://" + value
        URLValidator(schemes=["http", "https"], message=_("Not a valid web address."))(value)
        return self._text("website", value)

    def clean_contact_email(self, value: str) -> str:
        EmailValidator(message=_("Not a valid e-mail address."))(value)
        return self._text("contact_email", value)

    def clean_language(self, value: str) -> str:
        if not value:
            return Language.ES
        try:
            return self.languages[_fold(value)]
        except KeyError:
            raise ValidationError(
                _("Unknown language “%(value)s”. Use es, en or fr.") % {"value": value}
            ) from None

    def clean_priority_areas(self, value: str) -> list[str]:
        keys, unknown = [], []
        for part in re.split(r"[;|,]", value):
            if not part.strip():
                continue
            key = self.priority_areas.get(_fold(part))
            if key is None:
                unknown.append(part.strip())
            elif key not in keys:
                keys.append(key)
        if unknown:
            raise ValidationError(
                _("Unknown priority area “%(value)s”. Use keys separated by “;”: %(keys)s.")
                % {"value": "; ".join(unknown), "keys": ", ".join(PriorityArea.values)}
            )
        return keys

    def clean_public_listing(self, value: str) -> bool:
        folded = _fold(value)
        if folded in TRUE:
            return True
        if folded in FALSE:
            return False
        raise ValidationError(
            _("Write yes or no (not “%(value)s”).") % {"value": value},
        )

    def clean_member_since(self, value: str) -> date | None:
        if not value:
            return None
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise ValidationError(
                _("Not a date in the form YYYY-MM-DD: “%(value)s”.") % {"value": value}
            ) from None
        if day > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        return day


def _drop_duplicates(rows: list[_Row], report: ImportReport) -> list[_Row]:
    """Rows that share a key, or a name in the same country, are all reported:
    which one is right is for a person to say."""
    by_key: dict[str, list[_Row]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        by_key[row.values["key"]].append(row)
        by_name[(matching.name_key(row.values["name"]), row.values["country"])].append(row)
    bad: set[int] = set()
    for groups, column, message in (
        (by_key.values(), "key", _("The key “%(value)s” is on several rows: %(rows)s.")),
        (
            by_name.values(),
            "name",
            _("“%(value)s” is on several rows with the same country: %(rows)s."),
        ),
    ):
        for group in groups:
            if len(group) < 2:
                continue
            numbers = ", ".join(str(row.number) for row in group)
            for row in group:
                bad.add(row.number)
                report.problems.append(
                    Problem(
                        row.number,
                        column,
                        message % {"value": row.values[column], "rows": numbers},
                    )
                )
    report.problems.sort(key=lambda p: p.row or 0)
    return [row for row in rows if row.number not in bad]


def _drop_known_elsewhere(rows: list[_Row], report: ImportReport) -> list[_Row]:
    """A row whose organisation is already in the database under another key (or
    none, e.g. approved through a letter) would make a second copy of it."""
    if not rows:
        return rows
    names = {matching.name_key(row.values["name"]) for row in rows}
    found: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
    for org in Organisation.objects.filter(name_key__in=names).only(
        "pk", "name", "name_key", "country", "import_key"
    ):
        found[(org.name_key, org.country.code)].append(org)
    kept = []
    for row in rows:
        same = found[(matching.name_key(row.values["name"]), row.values["country"])]
        org = next((org for org in same if org.import_key != row.values["key"]), None)
        if org is not None:
            if org.import_key:
                message = _(
                    "“%(name)s” (same country) is already a member, imported with the key "
                    "“%(key)s”. Use that key in the file."
                ) % {"name": org.name, "key": org.import_key}
            else:
                message = _(
                    "“%(name)s” (same country) is already a member. Give it the key "
                    "“%(key)s” in the admin, then import again."
                ) % {"name": org.name, "key": row.values["key"]}
            report.problems.append(Problem(row.number, "name", message))
        else:
            kept.append(row)
    report.problems.sort(key=lambda p: p.row or 0)
    return kept


# Writing.


def _existing(rows: Iterable[_Row], *, lock: bool = False) -> dict[str, Organisation]:
    keys = [row.values["key"] for row in rows]
    if not keys:
        return {}
    queryset = Organisation.objects.filter(import_key__in=keys)
    if lock:
        queryset = queryset.select_for_update()
    return {org.import_key: org for org in queryset}


def _apply(org: Organisation, values: dict) -> bool:
    """Set the row's values on the organisation; True if anything changed."""
    changed = False
    for name, value in values.items():
        model_field = "import_key" if name == "key" else name
        current = getattr(org, model_field)
        if model_field == "country":
            current = current.code if current else ""
        if current != value:
            setattr(org, model_field, value)
            changed = True
    return changed


def _new(values: dict) -> Organisation:
    org = Organisation(language=Language.ES, public_listing=False, priority_areas=[])
    _apply(org, values)
    return org


def _count(rows: list[_Row], existing: dict[str, Organisation], report: ImportReport) -> None:
    for row in rows:
        org = existing.get(row.values["key"])
        if org is None:
            report.created += 1
        elif _apply(org, row.values):
            report.updated += 1
        else:
            report.unchanged += 1


def _write(rows: list[_Row], report: ImportReport, *, by, progress: Progress | None) -> None:
    added: list[Organisation] = []
    changed: list[Organisation] = []
    try:
        with transaction.atomic(), directory_cache.batch():
            existing = _existing(rows, lock=True)
            for done, row in enumerate(rows, 1):
                org = existing.get(row.values["key"])
                try:
                    # A savepoint per row, so that with `partial` a row the
                    # database refuses is reported and the others still go in.
                    with transaction.atomic():
                        if org is None:
                            org = _new(row.values)
                            org.save()
                            added.append(org)
                        elif _apply(org, row.values):
                            org.save()
                            changed.append(org)
                        else:
                            report.unchanged += 1
                except DatabaseError as error:
                    report.problems.append(
                        Problem(
                            row.number,
                            "",
                            _("The database refused this row: %(error)s") % {"error": error},
                        )
                    )
                    if not report.partial:
                        raise
                if progress:
                    progress("write", done, len(rows))
            if by is not None:
                for objects, flag in ((added, ADDITION), (changed, CHANGE)):
                    if objects:
                        LogEntry.objects.log_actions(
                            user_id=by.pk,
                            queryset=objects,
                            action_flag=flag,
                            change_message=_("Imported from a CSV file."),
                        )
    except DatabaseError:
        report.created = report.updated = report.unchanged = 0
        _count(rows, _existing(rows), report)
        return
    report.created, report.updated = len(added), len(changed)
    report.written = bool(added or changed)


# Telling people what happened (the command and the admin page).


def problem_text(problem: Problem) -> str:
    if problem.row is None:
        return problem.message
    if problem.field:
        return _("row %(row)s, %(field)s: %(message)s") % {
            "row": problem.row,
            "field": problem.field,
            "message": problem.message,
        }
    return _("row %(row)s: %(message)s") % {"row": problem.row, "message": problem.message}


def summary(report: ImportReport) -> str:
    """One paragraph: what was read, what was (or would be) written, and why not."""
    if report.unreadable:
        return _("Nothing was imported: the file or its columns must be corrected first.")
    counts = {
        "rows": report.rows,
        "bad": report.bad_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    read = ngettext("%(rows)s row read", "%(rows)s rows read", report.rows) % counts
    if report.bad_rows:
        read += (
            ", "
            + ngettext("%(bad)s with problems", "%(bad)s with problems", report.bad_rows) % counts
        )
    if report.dry_run:
        if report.blocked:
            outcome = _(
                "As it is, nothing would be imported: fix the problems, or import only the "
                "valid rows (partial import)."
            )
        else:
            outcome = (
                _(
                    "An import would create %(created)s, update %(updated)s and leave "
                    "%(unchanged)s unchanged."
                )
                % counts
            )
        return _("Dry run, nothing was written. %(read)s. %(outcome)s") % {
            "read": read,
            "outcome": outcome,
        }
    if report.blocked:
        return _(
            "Nothing was imported (%(read)s): fix the problems, or import only the valid "
            "rows (partial import)."
        ) % {"read": read}
    done = _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % counts
    if report.bad_rows:
        return _("Partial import: %(read)s; %(done)s; the rows with problems were skipped.") % {
            "read": read,
            "done": done,
        }
    return _("Imported: %(read)s; %(done)s.") % {"read": read, "done": done}
