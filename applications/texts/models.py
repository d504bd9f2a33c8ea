"""The saved versions of the Secretariat's texts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.choices import Language
from applications.versions import Version


class TextVersion(Version):
    """One saved wording of one text in one language.

    ``key`` names the text: ``email/<event>/<audience>`` or ``page/<name>``. The
    newest version of a key and language is the text in use, unless it is a
    "back to default" version (``is_default``): then the default is used again.
    """

    key = models.CharField(_("text"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    is_default = models.BooleanField(_("back to the default"), default=False)

    class Meta:
        ordering = ["key", "language", "-number"]
        verbose_name = _("text version")
        verbose_name_plural = _("text versions")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language", "number"], name="one_text_version_number"
            )
        ]
        indexes = [models.Index(fields=["key", "language", "-number"])]
        permissions = [
            ("edit_texts", "Can edit the texts, settings and extra questions (Secretariat lead)")
        ]

    def __str__(self):
        return f"{self.key} [{self.language}] v{self.number}"
