"""Reading a member roll: bytes to text in a known encoding, the delimiter, the
header and the non-empty rows."""

from __future__ import annotations

import codecs
import csv
import io
import re

from django.utils import translation
from django.utils.translation import gettext as _

from applications import matching

from .columns import COLUMNS, HEADINGS, REQUIRED_COLUMNS
from .report import ImportReport, Problem

# UTF-8 first (the BOM that Excel writes is dropped), then Windows-1252, which is
# what Excel's plain "CSV" writes on Windows: it decodes every Latin-1 letter the
# same way and also the curly quotes and dashes that Latin-1 would turn into
# control characters. Latin-1 last, because it decodes any byte.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS = ",;\t"


def decode(data: bytes, report: ImportReport) -> str | None:
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
            bom = data.startswith(codecs.BOM_UTF8)
            report.encoding = _("UTF-8 with BOM") if bom else "UTF-8"
        else:
            report.encoding = {"cp1252": "Latin-1 (Windows-1252)", "latin-1": "Latin-1"}[encoding]
        return text
    raise AssertionError("latin-1 decodes any byte")  # pragma: no cover


LOOKUP_LANGUAGES = ("en", "es", "fr")
_headings: dict[str, str] = {}


def _heading_index() -> dict[str, str]:
    """The export's headings in each language, folded, to their column."""
    if not _headings:
        for language in LOOKUP_LANGUAGES:
            with translation.override(language):
                for column, heading in HEADINGS.items():
                    _headings[matching.fold(str(heading)).replace("’", "'")] = column
    return _headings


def _column(name: str) -> str:
    """A header cell's column: its key (any case, "-" or " " for "_"), or the
    heading the export gives it in English, Spanish or French."""
    name = (name or "").replace("\ufeff", "").strip()
    key = re.sub(r"[\s\-]+", "_", name.lower())
    if key in COLUMNS:
        return key
    return _heading_index().get(matching.fold(name).replace("’", "'"), key)


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


def read(text: str, report: ImportReport) -> tuple[list[str] | None, list[tuple[int, list]]]:
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
    check_header(header, report)
    report.rows = len(records)
    return header, records


def check_header(header: list[str], report: ImportReport) -> None:
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
