"""What the Secretariat edits without a developer (texts, settings, questions) is
kept as versions: who saved what, when, and what changed since the version before.

A version is never edited or deleted: restoring an old one saves a new version
with its content (``restored_from`` says which), so the history reads forwards.
"""

import difflib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy

from .exceptions import NotPermitted


class Version(models.Model):
    """The fields every kind of version has; ``number`` counts from 1 per subject."""

    number = models.PositiveIntegerField(gettext_lazy("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("saved by"),
    )
    created_at = models.DateTimeField(gettext_lazy("saved"), auto_now_add=True)
    restored_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def author(self) -> str:
        user = self.created_by
        if user is None:
            return "—"
        return user.get_full_name() or user.get_username()


def diff_lines(before: str, after: str) -> list[tuple[str, str]]:
    """A line diff as (kind, line): kind is "+" (added), "-" (removed) or " "
    (context, at most two lines around each change)."""
    lines = []
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for group in matcher.get_grouped_opcodes(2):
        if lines:
            lines.append((" ", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend((" ", line) for line in matcher.a[i1:i2])
                continue
            lines.extend(("-", line) for line in matcher.a[i1:i2])
            lines.extend(("+", line) for line in matcher.b[j1:j2])
    return lines


PERMISSION = "applications.edit_texts"


def check_can_edit(by) -> None:
    """Raise NotPermitted unless ``by`` may change the texts, settings and questions."""
    if by is None or not by.has_perm(PERMISSION):
        raise NotPermitted(gettext("Only the Secretariat's leads can change texts and settings."))
