"""Writing a checked member roll: create or update the organisations in one
transaction (a savepoint per row), with an admin log entry per change."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from applications.choices import Language

from .. import directory_cache
from ..models import Organisation
from .report import ImportReport, Problem, Progress, Row


def existing(rows: Iterable[Row], *, lock: bool = False) -> dict[str, Organisation]:
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


def count(rows: list[Row], known: dict[str, Organisation], report: ImportReport) -> None:
    for row in rows:
        org = known.get(row.values["key"])
        if org is None:
            report.created += 1
        elif _apply(org, row.values):
            report.updated += 1
        else:
            report.unchanged += 1


def write(rows: list[Row], report: ImportReport, *, by, progress: Progress | None) -> None:
    added: list[Organisation] = []
    changed: list[Organisation] = []
    try:
        with transaction.atomic(), directory_cache.batch():
            known = existing(rows, lock=True)
            for done, row in enumerate(rows, 1):
                org = known.get(row.values["key"])
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
        count(rows, existing(rows), report)
        return
    report.created, report.updated = len(added), len(changed)
    report.written = bool(added or changed)
