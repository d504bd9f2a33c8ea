"""What an import found and did, and the words that tell people (the command and
the admin page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
class Row:
    number: int
    values: dict


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
