"""Import of today's members from a CSV file (the roll kept before this app).

One row per member organisation; the columns are listed in ``COLUMN_HELP``
(shown on the admin's import page and in the README). Optional columns may be
left out of the file: a re-import then leaves those fields of existing members
as they are. Files may be UTF-8 (with or without a BOM), Windows-1252 or
Latin-1, separated by ``,`` or ``;``.

Every row is checked before anything is written. By default a run is all or
nothing: one problem and no row is written. With ``partial=True`` the valid rows
are written and the others reported. Importing never sends email.

The work is split along its seams: ``reading`` (bytes to rows), ``checking``
(rows to values or problems), ``writing`` (values to organisations), and
``report`` (what happened, in words).
"""

from __future__ import annotations

from . import checking, reading, writing
from .columns import COLUMN_HELP, COLUMNS, REQUIRED_COLUMNS
from .report import ImportReport, Problem, Progress, Row, problem_text, summary

__all__ = [
    "COLUMNS",
    "COLUMN_HELP",
    "REQUIRED_COLUMNS",
    "ImportReport",
    "Problem",
    "members_import",
    "problem_text",
    "summary",
]


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
    text = reading.decode(data, report)
    if text is None:
        return report
    header, records = reading.read(text, report)
    if report.blocked or header is None:
        return report

    checker = checking.Checker(header)
    rows: list[Row] = []
    for done, (number, cells) in enumerate(records, 1):
        row = checker.check(number, cells, report)
        if row is not None:
            rows.append(row)
        if progress:
            progress("check", done, len(records))
    rows = checking.drop_duplicates(rows, report)
    rows = checking.drop_known_elsewhere(rows, report)

    if dry_run or (report.problems and not partial) or not rows:
        writing.count(rows, writing.existing(rows), report)
        return report
    writing.write(rows, report, by=by, progress=progress)
    return report
