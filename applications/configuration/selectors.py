"""Reads on the Secretariat's settings: the values in use and their history.

Each read is one query; a page that needs a setting for many rows reads it once
(e.g. ``deadline_days()`` for a whole list of tasks).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from applications.choices import Language

from . import defaults
from .defaults import CHECKLIST, COMMUNITIES, DEADLINES, REMINDERS
from .models import SettingVersion


def _language(language: str | None) -> str:
    language = (language or get_language() or "es")[:2]
    return language if language in Language.values else "es"


def setting_version(key: str) -> SettingVersion | None:
    return SettingVersion.objects.filter(key=key).order_by("-number").first()


def setting_value(key: str):
    """The value in use of ``key``: the newest version's, else the default."""
    version = setting_version(key)
    return version.value if version is not None else defaults.default(key)


def setting_history(key: str) -> list[SettingVersion]:
    return list(
        SettingVersion.objects.filter(key=key)
        .select_related("created_by", "restored_from")
        .order_by("-number")
    )


def deadline_days() -> dict[str, int]:
    """Days before a screening, decision or onboarding task is overdue."""
    value = setting_value(DEADLINES)
    fallback = defaults.default(DEADLINES)
    return {node: int(value.get(node) or fallback[node]) for node in defaults.NODES}


def onboarding_reminder_days() -> list[int]:
    """Days after approval on which a member that has not onboarded is reminded."""
    return list(setting_value(REMINDERS).get("onboarding") or [])


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    required: bool


def _label(item: dict, language: str) -> str:
    label = item.get("label") or {}
    return label.get(language) or label.get("en") or item["key"]


def checklist_items(language: str | None = None) -> list[ChecklistItem]:
    """The screening's eligibility checklist, labels in ``language`` (default: current)."""
    language = _language(language)
    return [
        ChecklistItem(item["key"], _label(item, language), bool(item.get("required")))
        for item in setting_value(CHECKLIST)
    ]


def _all_labels(key: str, language: str) -> dict[str, str]:
    """Labels of every item ``key`` ever had (defaults first, newest last)."""
    found = {item["key"]: _label(item, language) for item in defaults.default(key)}
    for version in SettingVersion.objects.filter(key=key).order_by("number"):
        for item in version.value:
            found[item["key"]] = _label(item, language)
    return found


def checklist_labels(language: str | None = None) -> dict[str, str]:
    """{key: label} of every checklist item, also those since removed (stored
    screenings name them)."""
    return _all_labels(CHECKLIST, _language(language))


def communities(language: str | None = None) -> list[tuple[str, str]]:
    """(key, label) of the communities of practice offered at onboarding."""
    language = _language(language)
    return [(item["key"], _label(item, language)) for item in setting_value(COMMUNITIES)]


def community_labels(language: str | None = None) -> dict[str, str]:
    """{key: label} of every community ever offered (members' choices name them)."""
    return _all_labels(COMMUNITIES, _language(language))
