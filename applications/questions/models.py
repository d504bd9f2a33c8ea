"""The Secretariat's extra questions."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applications.choices import Constituency, Language

# The form field of a question is named FIELD_PREFIX + its pk; so is the kind of a
# draft's file that answers it (applications/drafts).
FIELD_PREFIX = "q_"


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    ONE_CHOICE = "one_choice", _("One choice")
    SEVERAL_CHOICES = "several_choices", _("Several choices")
    YES_NO = "yes_no", _("Yes or no")
    DATE = "date", _("Date")
    FILE = "file", _("File")


CHOICE_KINDS = (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES)


class QuestionTarget(models.TextChoices):
    LETTER = "letter", _("Letter form")
    NOMINATION = "nomination", _("Nomination form of a call")


def _language(language=None) -> str:
    language = (language or get_language() or "es")[:2]
    return language if language in Language.values else "es"


class Question(models.Model):
    """A question of the letter form or of one call's nomination form.

    ``constituencies`` (letter form only): the constituencies that are asked it;
    empty means every applicant. A retired question is on no new form; the
    answers given to it stay with their letters and nominations.
    """

    target = models.CharField(_("form"), max_length=20, choices=QuestionTarget)
    call = models.ForeignKey(
        "applications.Call",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("call"),
    )
    constituencies = models.JSONField(_("only for these constituencies"), default=list, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=20, choices=QuestionKind)
    label_es = models.CharField(_("question (Spanish)"), max_length=300)
    label_en = models.CharField(_("question (English)"), max_length=300)
    label_fr = models.CharField(_("question (French)"), max_length=300)
    help_es = models.CharField(_("help (Spanish)"), max_length=500, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    help_fr = models.CharField(_("help (French)"), max_length=500, blank=True)
    # [{"key": "...", "label": {"es": ..., "en": ..., "fr": ...}}], for the choice kinds.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target", "call", "position", "pk"]
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")

    def __str__(self):
        return self.label_en

    def label(self, language=None) -> str:
        return getattr(self, f"label_{_language(language)}") or self.label_es

    def help(self, language=None) -> str:
        return getattr(self, f"help_{_language(language)}")

    def labels(self) -> dict[str, str]:
        return {language: getattr(self, f"label_{language}") for language in Language.values}

    def choice_list(self, language=None) -> list[tuple[str, str]]:
        language = _language(language)
        return [(item["key"], item["label"].get(language) or item["key"]) for item in self.choices]

    def applies_to(self, constituency) -> bool:
        return not self.constituencies or constituency in self.constituencies

    def constituency_labels(self) -> str:
        names = dict(Constituency.choices)
        return ", ".join(str(names.get(key, key)) for key in self.constituencies)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def snapshot(self) -> dict:
        """The question as its history keeps it (``configuration.SettingVersion``)."""
        return {
            "target": self.target,
            "call": self.call_id,
            "constituencies": list(self.constituencies),
            "kind": self.kind,
            "label": self.labels(),
            "help": {language: getattr(self, f"help_{language}") for language in Language.values},
            "choices": self.choices,
            "required": self.required,
            "position": self.position,
            "retired": self.retired_at.isoformat() if self.retired_at else None,
        }
