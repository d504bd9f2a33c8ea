"""Writing a checked member roll: create or update the organisations in one
transaction (a savepoint per row), with an admin log entry per change."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from applications.choices import Language

from .. import directory_cache
from ..models import ContactRole, MemberContact, Organisation
from .report import ImportReport, Problem, Progress, Row

# Only the organisation's own columns are set on it; contact_email and language
# also mirror the focal point there (see Organisation).
OWN_SKIPPED = ("contact_name", "contacts")


def existing(rows: Iterable[Row], *, lock: bool = False) -> dict[str, Organisation]:
    keys = [row.values["key"] for row in rows]
    if not keys:
        return {}
    queryset = Organisation.objects.filter(import_key__in=keys).prefetch_related("contacts")
    if lock:
        queryset = queryset.select_for_update()
    return {org.import_key: org for org in queryset}


def _apply(org: Organisation, values: dict) -> bool:
    """Set the row's values on the organisation; True if anything changed."""
    changed = False
    for name, value in values.items():
        if name in OWN_SKIPPED:
            continue
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


def _contacts_wanted(org: Organisation, values: dict) -> tuple[dict, list | None]:
    """The focal point's fields and the other contacts (None: left as they are)."""
    current = _focal(org)
    focal = {
        "email": values.get("contact_email", current.email if current else org.contact_email),
        "language": values.get("language", current.language if current else org.language),
        "name": values.get("contact_name", current.name if current else ""),
    }
    return focal, values.get("contacts")


def _focal(org: Organisation) -> MemberContact | None:
    if org.pk is None:
        return None
    return next((c for c in org.contacts.all() if c.role == ContactRole.FOCAL_POINT), None)


def _others(org: Organisation) -> list[tuple[str, str, str, str]]:
    if org.pk is None:
        return []
    return [
        (c.role, c.name, c.email, c.language)
        for c in sorted(org.contacts.all(), key=lambda c: c.pk)
        if c.role != ContactRole.FOCAL_POINT
    ]


def contacts_differ(org: Organisation, values: dict) -> bool:
    focal, others = _contacts_wanted(org, values)
    current = _focal(org)
    if current is None or any(getattr(current, k) != v for k, v in focal.items()):
        return True
    return others is not None and others != _others(org)


def write_contacts(org: Organisation, values: dict) -> bool:
    """Make the member's contacts what the row says; True if anything changed."""
    if not contacts_differ(org, values):
        return False
    focal, others = _contacts_wanted(org, values)
    MemberContact.objects.update_or_create(
        organisation=org, role=ContactRole.FOCAL_POINT, defaults=focal
    )
    if others is not None and others != _others(org):
        org.contacts.exclude(role=ContactRole.FOCAL_POINT).delete()
        MemberContact.objects.bulk_create(
            MemberContact(organisation=org, role=role, name=name, email=email, language=language)
            for role, name, email, language in others
        )
    return True


def count(rows: list[Row], known: dict[str, Organisation], report: ImportReport) -> None:
    for row in rows:
        org = known.get(row.values["key"])
        if org is None:
            report.created += 1
        elif _apply(org, row.values) | contacts_differ(org, row.values):
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
                            write_contacts(org, row.values)
                            added.append(org)
                        elif _apply(org, row.values):
                            org.save()
                            write_contacts(org, row.values)
                            changed.append(org)
                        elif write_contacts(org, row.values):
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
