"""Writes on the extra questions. Each save is recorded as a version of the
question (``configuration.SettingVersion``, key ``question/<id>``): who, when,
and the question as it then was."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from applications import page_cache
from applications.choices import Constituency, Language
from applications.configuration import services as configuration
from applications.exceptions import DomainError
from applications.versions import check_can_edit

from .models import CHOICE_KINDS, Question, QuestionKind, QuestionTarget

FIELDS = (
    "target",
    "call",
    "constituencies",
    "kind",
    "label_es",
    "label_en",
    "label_fr",
    "help_es",
    "help_en",
    "help_fr",
    "choices",
    "required",
    "position",
)


def _record(question: Question, by) -> None:
    configuration.version_add(key=f"question/{question.pk}", value=question.snapshot(), by=by)


def choice_key(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_]", "", slugify(label).replace("-", "_"))[:30] or "choice"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _check(data: dict) -> None:
    if data["target"] not in QuestionTarget.values:
        raise DomainError(_("Choose the form the question goes on."))
    if data["kind"] not in QuestionKind.values:
        raise DomainError(_("Choose the kind of answer."))
    if data["target"] == QuestionTarget.NOMINATION and data.get("call") is None:
        raise DomainError(_("Choose the call whose nomination form asks this question."))
    unknown = set(data.get("constituencies") or []) - set(Constituency.values)
    if unknown:
        raise DomainError(_("Unknown constituency."))
    for language in Language.values:
        if not (data.get(f"label_{language}") or "").strip():
            raise DomainError(_("Write the question in Spanish, English and French."))
    if data["kind"] in CHOICE_KINDS and len(data.get("choices") or []) < 2:
        raise DomainError(_("Give at least two choices."))


def question_save(*, question: Question | None = None, data: dict, by) -> Question:
    """Add a question to a form, or change one.

    Before: ``by`` has ``applications.edit_texts``; ``data`` holds the cleaned
    fields (labels in the three languages; two choices or more for a choice
    question; a call for a nomination question). Changes: the question, and a
    version of it in its history. Answers already given keep the wording they
    were given under. Sends nothing.
    """
    check_can_edit(by)
    data = {field: data.get(field) for field in FIELDS}
    data["required"] = bool(data["required"])
    data["position"] = int(data["position"] or 0)
    for language in Language.values:
        data[f"help_{language}"] = (data[f"help_{language}"] or "").strip()
        data[f"label_{language}"] = (data[f"label_{language}"] or "").strip()
    data["constituencies"] = (
        [] if data["target"] == QuestionTarget.NOMINATION else list(data["constituencies"] or [])
    )
    if data["target"] == QuestionTarget.LETTER:
        data["call"] = None
    if data["kind"] not in CHOICE_KINDS:
        data["choices"] = []
    _check(data)
    with transaction.atomic():
        page_cache.forms_changed()  # blank forms show questions and page texts
        if question is None:
            question = Question(created_by=by)
        else:
            question = Question.objects.select_for_update().get(pk=question.pk)
        for field, value in data.items():
            setattr(question, field, value)
        question.save()
        _record(question, by)
    return question


def question_retire(*, question: Question, by) -> Question:
    """Take a question off its form.

    Before: ``by`` has ``applications.edit_texts``. Changes: ``retired_at``; new
    forms no longer ask it; the letters and nominations that answered it keep
    their answers. Sends nothing.
    """
    check_can_edit(by)
    with transaction.atomic():
        page_cache.forms_changed()  # blank forms show questions and page texts
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.retired_at is None:
            question.retired_at = timezone.now()
            question.save(update_fields=["retired_at", "updated_at"])
            _record(question, by)
    return question
