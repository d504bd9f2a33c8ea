"""The review process of one letter, as viewflow tracks it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class LetterProcess(Process):
    """A viewflow process bound to exactly one letter."""

    letter = models.OneToOneField(
        "applications.Letter", on_delete=models.CASCADE, related_name="process"
    )

    class Meta:
        verbose_name = _("letter review")
        verbose_name_plural = _("letter reviews")

    def __str__(self):
        return str(self.letter.organisation_name)
