"""Placeholders in the Secretariat's texts: a fixed list per text, filled by plain
substitution.

A text the Secretariat writes is never a template: ``{organisation}`` is replaced
by the value of ``organisation`` (a string), in one pass, and nothing else in the
text has any meaning. Django's template syntax, attribute access
(``{organisation.__class__}``), format specs and values that themselves hold
braces stay the characters they are. ``problems`` refuses, on saving, any brace
that is not one of the text's placeholders, a missing mandatory placeholder and
a subject on more than one line, each with its reason; ``substitute`` still
leaves anything unknown as typed, so a text saved before a placeholder was
withdrawn renders as plain text, never evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

NAME = re.compile(r"\{([a-z][a-z_]{0,39})\}")
# A brace group on one line, or a lone brace: what a placeholder could be.
BRACES = re.compile(r"\{+[^{}\n]{0,80}\}+|[{}]")
# Characters that break a line in an email header or in a mail reader.
LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Placeholder:
    name: str
    help: str  # what it is replaced by, for the editor (lazy)

    @property
    def token(self) -> str:
        return "{" + self.name + "}"


@dataclass(frozen=True)
class TextSpec:
    """One text the Secretariat may edit: its key, its placeholders, its default.

    ``default(language)`` gives the starting text in that language, written with
    the placeholders, as (subject, body); ``values(context)`` the placeholders'
    values for a rendering (emails: from the email's context).
    """

    key: str
    title: str
    group: str
    placeholders: tuple[Placeholder, ...]
    default: Callable[[str], tuple[str, str]]
    required: tuple[str, ...] = ()
    has_subject: bool = False
    values: Callable[[Mapping], dict] | None = field(default=None, compare=False)

    @property
    def names(self) -> set[str]:
        return {placeholder.name for placeholder in self.placeholders}

    def problems(self, *, subject: str = "", body: str) -> list[str]:
        """Why this subject and body cannot be saved; [] if they can."""
        found = self.check(subject=subject, body=body)
        return list(dict.fromkeys(found["subject"] + found["body"]))

    def check(self, *, subject: str = "", body: str) -> dict[str, list[str]]:
        """The reasons to refuse, by the part they are about ("subject", "body")."""
        found: dict[str, list[str]] = {"subject": [], "body": []}
        if self.has_subject:
            if not subject.strip():
                found["subject"].append(_("Write a subject."))
            if LINE_BREAKS.search(subject):
                found["subject"].append(_("The subject must be one line: remove its line break."))
            if len(subject) > 200:
                found["subject"].append(_("The subject is too long: at most 200 characters."))
        if not body.strip():
            found["body"].append(_("Write the text."))
        if len(body) > 20000:
            found["body"].append(_("The text is too long: at most 20,000 characters."))
        for part, text in (("subject", subject), ("body", body)):
            for token in unknown_tokens(text, self.names):
                found[part].append(
                    _("“%(token)s” is not a placeholder of this text. You can use: %(list)s.")
                    % {"token": token, "list": self.listing()}
                    if self.placeholders
                    else _("“%(token)s” is not a placeholder: this text has none.")
                    % {"token": token}
                )
        for name in self.required:
            if "{" + name + "}" not in subject + body:
                found["body"].append(
                    _("This text must contain {%(name)s}: without it the person cannot act.")
                    % {"name": name}
                )
        return {part: list(dict.fromkeys(messages)) for part, messages in found.items()}

    def listing(self) -> str:
        return ", ".join(placeholder.token for placeholder in self.placeholders)


def unknown_tokens(text: str, names: set[str]) -> list[str]:
    """Every brace group of ``text`` that is not exactly one of ``names``."""
    tokens = []
    for match in BRACES.finditer(text):
        token = match.group(0)
        name = NAME.fullmatch(token)
        if name is None or name.group(1) not in names:
            tokens.append(token[:60])
    return list(dict.fromkeys(tokens))


def substitute(text: str, values: Mapping[str, object]) -> str:
    """``text`` with each ``{name}`` of ``values`` replaced by ``str(value)``.

    One pass: a value holding ``{status_link}`` stays that text. Anything else
    in braces stays as typed.
    """

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        return "" if value is None else str(value)

    return NAME.sub(replace, text)
