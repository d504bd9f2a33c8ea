"""What each of the Secretariat's settings is until it first saves one, and what a
saved value must look like.

The deadlines' defaults are the environment's (``SCREENING_DEADLINE_DAYS``...,
``settings.REVIEW_DEADLINE_DAYS``); the checklist and the communities are
today's lists, with their labels translated through the catalogues.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.choices import CommunityOfPractice, Language
from applications.exceptions import DomainError

DEADLINES = "deadlines"
REMINDERS = "reminders"
CHECKLIST = "checklist"
COMMUNITIES = "communities"
KEYS = (DEADLINES, REMINDERS, CHECKLIST, COMMUNITIES)

TITLES = {
    DEADLINES: gettext_lazy("Review deadlines"),
    REMINDERS: gettext_lazy("Onboarding reminders"),
    CHECKLIST: gettext_lazy("Eligibility checklist"),
    COMMUNITIES: gettext_lazy("Communities of practice"),
}

NODES = ("screen", "decide", "onboard")

# The eligibility checklist of the screening form before the Secretariat owned it.
DEFAULT_CHECKLIST = [
    ("is_organisation", gettext_lazy("It is an organisation, not an individual")),
    ("works_on_care", gettext_lazy("It works on care")),
    ("constituency_correct", gettext_lazy("Its constituency is correct")),
    ("not_a_member", gettext_lazy("It is not already a member")),
    ("no_duplicate", gettext_lazy("It is not a duplicate of another letter")),
]

DEFAULT_ONBOARDING_REMINDER_DAYS = [7, 21]

ITEM_KEY = re.compile(r"[a-z0-9_]{1,40}")
# Names a checklist item's key may not take: the screening form's own fields.
RESERVED_KEYS = frozenset({"outcome", "note", "message", "preview", "csrfmiddlewaretoken"})
MAX_ITEMS = 30
MAX_LABEL = 200


def labels(text) -> dict[str, str]:
    """A translatable message in each of the three languages."""
    result = {}
    for language in Language.values:
        with translation.override(language):
            result[language] = str(text)
    return result


def default(key: str):
    """The value of ``key`` while the Secretariat has saved none (JSON-ready)."""
    if key == DEADLINES:
        return {node: int(settings.REVIEW_DEADLINE_DAYS[node]) for node in NODES}
    if key == REMINDERS:
        return {"onboarding": list(DEFAULT_ONBOARDING_REMINDER_DAYS)}
    if key == CHECKLIST:
        return [
            {"key": name, "label": labels(label), "required": True}
            for name, label in DEFAULT_CHECKLIST
        ]
    if key == COMMUNITIES:
        return [
            {"key": value, "label": labels(label)} for value, label in CommunityOfPractice.choices
        ]
    raise KeyError(key)


def _days(value, *, what) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        raise DomainError(
            _("%(what)s must be a whole number of days from 1 to 365.") % {"what": what}
        )
    return value


def _items(value, *, with_required: bool) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise DomainError(_("Keep at least one item."))
    if len(value) > MAX_ITEMS:
        raise DomainError(_("At most %(n)d items.") % {"n": MAX_ITEMS})
    cleaned, keys = [], set()
    for item in value:
        key = item.get("key") if isinstance(item, dict) else None
        if (
            not isinstance(key, str)
            or not ITEM_KEY.fullmatch(key)
            or key in keys
            or key in RESERVED_KEYS
        ):
            raise DomainError(_("Each item needs its own short key (a-z, 0-9, _)."))
        keys.add(key)
        label = item.get("label")
        if not isinstance(label, dict):
            raise DomainError(_("Each item needs a label in Spanish, English and French."))
        texts = {}
        for language in Language.values:
            text = label.get(language)
            if not isinstance(text, str) or not text.strip():
                raise DomainError(_("Each item needs a label in Spanish, English and French."))
            if len(text) > MAX_LABEL or "\n" in text or "\r" in text:
                raise DomainError(
                    _("A label is one line of at most %(n)d characters.") % {"n": MAX_LABEL}
                )
            texts[language] = text.strip()
        entry = {"key": key, "label": texts}
        if with_required:
            entry["required"] = bool(item.get("required"))
        cleaned.append(entry)
    return cleaned


def clean(key: str, value):
    """``value`` as it is stored for ``key``, or DomainError saying what is wrong."""
    if key == DEADLINES:
        names = {
            "screen": _("The screening deadline"),
            "decide": _("The decision deadline"),
            "onboard": _("The onboarding deadline"),
        }
        if not isinstance(value, dict):
            raise DomainError(_("Give the three deadlines."))
        return {node: _days(value.get(node), what=names[node]) for node in NODES}
    if key == REMINDERS:
        days = value.get("onboarding") if isinstance(value, dict) else None
        if not isinstance(days, list) or not 1 <= len(days) <= 5:
            raise DomainError(_("Give from one to five reminder days."))
        days = [_days(day, what=_("A reminder day")) for day in days]
        if sorted(set(days)) != days:
            raise DomainError(_("Give the reminder days in increasing order, each once."))
        return {"onboarding": days}
    if key == CHECKLIST:
        return _items(value, with_required=True)
    if key == COMMUNITIES:
        return _items(value, with_required=False)
    raise KeyError(key)
