"""Writes on the Secretariat's texts: every save, restore and "back to default"
is a new ``TextVersion``; nothing is edited or deleted."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from applications import page_cache
from applications.exceptions import DomainError
from applications.versions import check_can_edit

from .models import TextVersion
from .placeholders import TextSpec
from .selectors import LANGUAGES, text_current


class TextRefused(DomainError):
    """The text cannot be saved; ``problems`` says every reason."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(str(problem) for problem in problems))
        self.problems = problems


def _next_number(key: str, language: str) -> int:
    latest = (
        TextVersion.objects.select_for_update()
        .filter(key=key, language=language)
        .aggregate(n=Max("number"))["n"]
    )
    return (latest or 0) + 1


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise DomainError(f"unknown language {language!r}")


def text_save(
    *, spec: TextSpec, language: str, subject: str = "", body: str, by
) -> TextVersion | None:
    """Save a new wording of one text in one language.

    Before: ``by`` has ``applications.edit_texts``; the wording uses only the
    text's placeholders, all its mandatory ones, and a one-line subject (else
    ``TextRefused`` with every reason). Changes: a new version, unless the
    wording is the one already in use (then nothing, and None is returned).
    Sends nothing: the next email or page uses it.
    """
    check_can_edit(by)
    _check_language(language)
    subject = subject.strip() if spec.has_subject else ""
    body = body.replace("\r\n", "\n").strip()
    problems = spec.problems(subject=subject, body=body)
    if problems:
        raise TextRefused(problems)
    with transaction.atomic():
        page_cache.forms_changed()  # blank forms show questions and page texts
        current = text_current(spec.key, language)
        if current is not None and (current.subject, current.body) == (subject, body):
            return None
        return TextVersion.objects.create(
            key=spec.key,
            language=language,
            number=_next_number(spec.key, language),
            subject=subject,
            body=body,
            created_by=by,
        )


def text_reset(*, spec: TextSpec, language: str, by) -> TextVersion | None:
    """Go back to the default wording of one text in one language.

    Before: ``by`` has ``applications.edit_texts``. Changes: a "back to default"
    version, unless the default is already in use (None). Sends nothing.
    """
    check_can_edit(by)
    _check_language(language)
    with transaction.atomic():
        page_cache.forms_changed()  # blank forms show questions and page texts
        if text_current(spec.key, language) is None:
            return None
        return TextVersion.objects.create(
            key=spec.key,
            language=language,
            number=_next_number(spec.key, language),
            is_default=True,
            created_by=by,
        )


def text_restore(*, spec: TextSpec, version: TextVersion, by) -> TextVersion | None:
    """Use an earlier version again: a new version with its wording.

    Before: ``by`` has ``applications.edit_texts``; ``version`` is of ``spec``'s
    text and still fits its placeholders (else ``TextRefused``). Changes: a new
    version restored from ``version``, unless that wording is already in use.
    Sends nothing.
    """
    check_can_edit(by)
    if version.key != spec.key:
        raise DomainError("this version is of another text")
    if version.is_default:
        return text_reset(spec=spec, language=version.language, by=by)
    problems = spec.problems(subject=version.subject, body=version.body)
    if problems:
        raise TextRefused(problems)
    with transaction.atomic():
        page_cache.forms_changed()  # blank forms show questions and page texts
        current = text_current(spec.key, version.language)
        if current is not None and (current.subject, current.body) == (
            version.subject,
            version.body,
        ):
            return None
        return TextVersion.objects.create(
            key=spec.key,
            language=version.language,
            number=_next_number(spec.key, version.language),
            subject=version.subject,
            body=version.body,
            restored_from=version,
            created_by=by,
        )
