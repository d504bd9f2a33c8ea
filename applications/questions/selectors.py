"""Reads on the extra questions and their answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from applications.choices import Language

from .models import Question, QuestionTarget


def _language(language=None) -> str:
    language = (language or get_language() or "es")[:2]
    return language if language in Language.values else "es"


def letter_questions():
    """The questions of the letter form now, in order (all constituencies)."""
    return Question.objects.filter(target=QuestionTarget.LETTER, retired_at__isnull=True).order_by(
        "position", "pk"
    )


def call_questions(call):
    """The questions of ``call``'s nomination form now, in order."""
    return Question.objects.filter(
        target=QuestionTarget.NOMINATION, call=call, retired_at__isnull=True
    ).order_by("position", "pk")


def questions_all():
    return Question.objects.select_related("call").order_by(
        "target", "retired_at", "call", "position", "pk"
    )


def question_get(pk) -> Question | None:
    return Question.objects.filter(pk=pk).first()


@dataclass(frozen=True)
class AnswerRow:
    question: int
    label: str
    text: str
    kind: str
    file: dict | None


def _in(mapping, language: str) -> str:
    mapping = mapping or {}
    return mapping.get(language) or mapping.get("en") or next(iter(mapping.values()), "")


def answer_rows(answers, language=None) -> list[AnswerRow]:
    """The answers as the staff read them: the question as it was asked, the
    answer as it was given, in ``language`` (default: the current one)."""
    language = _language(language)
    return [
        AnswerRow(
            question=answer.get("question"),
            label=_in(answer.get("label"), language),
            text=_in(answer.get("text"), language),
            kind=answer.get("kind", ""),
            file=answer["value"] if answer.get("kind") == "file" else None,
        )
        for answer in answers or []
    ]


@dataclass(frozen=True)
class AnswerChange:
    field: str
    label: str
    before: str
    after: str


def answer_changes(before, after, language=None) -> list[AnswerChange]:
    """Answer by answer, what differs between two submissions."""
    language = _language(language)
    old = {answer.get("question"): answer for answer in before or []}
    new = {answer.get("question"): answer for answer in after or []}
    changes = []
    for question in list(new) + [pk for pk in old if pk not in new]:
        was, now = old.get(question), new.get(question)
        if (was or {}).get("value") == (now or {}).get("value"):
            continue
        label = _in((now or was).get("label"), language)
        changes.append(
            AnswerChange(
                field=f"question_{question}",
                label=label,
                before=_in((was or {}).get("text"), language),
                after=_in((now or {}).get("text"), language),
            )
        )
    return changes


def answer_columns(target: str) -> list[Question]:
    """Every question of ``target`` ever asked (retired too), for the exports."""
    return list(Question.objects.filter(target=target).order_by("position", "pk"))


def answer_text(answers, question_pk: int, language=None) -> str:
    for answer in answers or []:
        if answer.get("question") == question_pk:
            return _in(answer.get("text"), _language(language))
    return ""
