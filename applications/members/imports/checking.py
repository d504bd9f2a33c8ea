"""Checking a member roll's rows: each cell to a model value or a problem, then the
rows that repeat one another or a member already known under another key."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from applications import matching
from applications.choices import Constituency, Language, PriorityArea

from ..models import ContactRole, MemberContact, Organisation
from .columns import COLUMNS, REQUIRED_COLUMNS
from .report import ImportReport, Problem, Row

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
# What the exports' formula guard puts an apostrophe before (review.exports).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ECHO_LIMIT = 60


def unguard(cell: str) -> str:
    """The cell without the apostrophe that the exports' formula guard (and a
    spreadsheet user, by the same convention) puts before "=", "+", "-", "@"…, so
    that an exported value is imported as it was, never as "'=…"."""
    if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


def echo(value: str) -> str:
    """A bad value as a message quotes it: whole, or its start when it is long."""
    value = str(value)
    return value if len(value) <= ECHO_LIMIT else value[: ECHO_LIMIT - 1] + "…"


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


class Checker:
    """Turns the cells of one row into model values, or problems."""

    def __init__(self, header: list[str]):
        self.header = header
        self.constituencies = _choice_index(Constituency)
        self.priority_areas = _choice_index(PriorityArea)
        # The export writes a role by its label, in the staff member's language.
        self.contact_roles = {
            folded: role
            for folded, role in _choice_index(ContactRole).items()
            if role != ContactRole.FOCAL_POINT
        }
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

    def check(self, number: int, cells: list, report: ImportReport) -> Row | None:
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
            name: unguard(cells[i] if i < len(cells) else "").strip()
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
        return None if problems else Row(number, values)

    def _text(self, name: str, value: str, limit: int | None = None) -> str:
        limit = limit or self.max_length[name]
        if len(value) > limit:
            raise ValidationError(
                _("At most %(limit)s characters (this has %(length)s): “%(value)s”.")
                % {"limit": limit, "length": len(value), "value": echo(value)}
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
                % {"value": echo(value), "keys": ", ".join(Constituency.values)}
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
                % {"value": echo(value)}
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
        typed = value
        if not re.match(r"^[a-z][a-z0-9+.\-]*://", value, re.IGNORECASE):
            value = "https://" + value
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            # Our own message, without params: a "%" in the value is text, not a placeholder.
            raise ValidationError(
                _("Not a valid web address: “%(value)s”.") % {"value": echo(typed)}
            ) from None
        return self._text("website", value)

    def clean_contact_email(self, value: str) -> str:
        try:
            EmailValidator()(value)
        except ValidationError:
            raise ValidationError(
                _("Not a valid e-mail address: “%(value)s”.") % {"value": echo(value)}
            ) from None
        return self._text("contact_email", value)

    def clean_contact_name(self, value: str) -> str:
        value = " ".join(value.split())
        return self._text("name", value, MemberContact._meta.get_field("name").max_length)

    def clean_contacts(self, value: str) -> list[tuple[str, str, str, str]]:
        """role|name|e-mail|language entries separated by ";", in file order."""
        contacts, bad = [], []
        roles = {role for role in ContactRole.values if role != ContactRole.FOCAL_POINT}
        role_index = self.contact_roles
        for entry in value.split(";"):
            if not entry.strip():
                continue
            parts = [part.strip() for part in entry.split("|")]
            if len(parts) != 4:
                bad.append(
                    _("“%(value)s” is not role|name|e-mail|language.")
                    % {"value": echo(entry.strip())}
                )
                continue
            role, name, email, language = parts
            if _fold(role) not in role_index:
                bad.append(
                    _("Unknown contact role “%(value)s”. Use one of: %(keys)s.")
                    % {"value": echo(role), "keys": ", ".join(sorted(roles))}
                )
                continue
            role = role_index[_fold(role)]
            try:
                EmailValidator()(email)
            except ValidationError:
                bad.append(_("Not a valid e-mail address: “%(value)s”.") % {"value": echo(email)})
                continue
            try:
                language = self.clean_language(language)
            except ValidationError as error:
                bad.extend(error.messages)
                continue
            contacts.append((role, self.clean_contact_name(name), email, language))
        if bad:
            raise ValidationError(" ".join(bad))
        return contacts

    def clean_language(self, value: str) -> str:
        if not value:
            return Language.ES
        try:
            return self.languages[_fold(value)]
        except KeyError:
            raise ValidationError(
                _("Unknown language “%(value)s”. Use es, en or fr.") % {"value": echo(value)}
            ) from None

    def clean_priority_areas(self, value: str) -> list[str]:
        keys, unknown = [], []
        for part in re.split(r"[;|]", value):
            if not part.strip():
                continue
            # A label may hold a comma ("Outreach, promotion…"); keys may be
            # separated by commas.
            whole = self.priority_areas.get(_fold(part))
            for piece, key in (
                [(part, whole)]
                if whole is not None
                else [(p, self.priority_areas.get(_fold(p))) for p in part.split(",") if p.strip()]
            ):
                if key is None:
                    unknown.append(piece.strip())
                elif key not in keys:
                    keys.append(key)
        if unknown:
            raise ValidationError(
                _("Unknown priority area “%(value)s”. Use keys separated by “;”: %(keys)s.")
                % {"value": echo("; ".join(unknown)), "keys": ", ".join(PriorityArea.values)}
            )
        return keys

    def clean_public_listing(self, value: str) -> bool:
        folded = _fold(value)
        if folded in TRUE:
            return True
        if folded in FALSE:
            return False
        raise ValidationError(
            _("Write yes or no (not “%(value)s”).") % {"value": echo(value)},
        )

    def clean_member_since(self, value: str) -> date | None:
        if not value:
            return None
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise ValidationError(
                _("Not a date in the form YYYY-MM-DD: “%(value)s”.") % {"value": echo(value)}
            ) from None
        if day > timezone.localdate():
            raise ValidationError(_("This date is in the future: “%(value)s”.") % {"value": value})
        return day


def drop_duplicates(rows: list[Row], report: ImportReport) -> list[Row]:
    """Of rows that share a key, or a name in the same country, the first is kept
    and each later one is reported and left out: the file's first word on a
    member stands, and a repeated row never costs the original its place."""
    first_by_key: dict[str, Row] = {}
    first_by_name: dict[tuple[str, str], Row] = {}
    kept = []
    for row in rows:
        key = row.values["key"]
        name = (matching.name_key(row.values["name"]), row.values["country"])
        first = first_by_key.get(key)
        if first is not None:
            report.problems.append(
                Problem(
                    row.number,
                    "key",
                    _(
                        "The key “%(value)s” is already on row %(first)s: only that first "
                        "row is imported."
                    )
                    % {"value": echo(key), "first": first.number},
                )
            )
            continue
        first = first_by_name.get(name)
        if first is not None:
            report.problems.append(
                Problem(
                    row.number,
                    "name",
                    _(
                        "“%(value)s” (same country) is already on row %(first)s: only that "
                        "first row is imported."
                    )
                    % {"value": echo(row.values["name"]), "first": first.number},
                )
            )
            continue
        first_by_key[key] = first_by_name[name] = row
        kept.append(row)
    report.problems.sort(key=lambda p: p.row or 0)
    return kept


def drop_known_elsewhere(rows: list[Row], report: ImportReport) -> list[Row]:
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
