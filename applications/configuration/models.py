"""The saved values of the Secretariat's settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.versions import Version


class SettingVersion(Version):
    """One saved value of one setting (``key``: see ``configuration.defaults.KEYS``).

    The newest version of a key is the value in use; without any, its default.
    Extra questions keep their history here too (``question/<id>``).
    """

    key = models.CharField(_("setting"), max_length=120)
    value = models.JSONField(_("value"))

    class Meta:
        ordering = ["key", "-number"]
        verbose_name = _("setting version")
        verbose_name_plural = _("setting versions")
        constraints = [
            models.UniqueConstraint(fields=["key", "number"], name="one_setting_version_number")
        ]

    def __str__(self):
        return f"{self.key} v{self.number}"
