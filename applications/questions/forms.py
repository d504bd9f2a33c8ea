"""The Secretariat's extra questions as fields of a public form.

``QuestionFieldsMixin`` goes first in a form's bases; the form passes
``questions=`` (or defines ``default_questions()``). Each question is a field
``q_<id>``, labelled in the visitor's language and validated like the fixed
fields: a required question must be answered, a choice must be one offered, a
date a date, a file passes ``applications.uploads.check_upload``. On the letter
form a question for some constituencies only is validated only when the
constituency chosen is one of them, and its answer is kept only then.
"""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from applications import uploads
from applications.choices import Language
from applications.configuration.defaults import labels
from applications.uploads import CheckedFile, NewFile

from .models import CHOICE_KINDS, FIELD_PREFIX, Question, QuestionKind

YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]
SHORT_MAX, LONG_MAX = 500, 5000


class QuestionFileField(forms.FileField):
    """A file answer, checked by content like every other upload."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return uploads.check_upload(upload) if upload else None


def question_field(question: Question) -> forms.Field:
    """The form field of ``question``, in the current language."""
    common = {
        "label": question.label(),
        "help_text": question.help(),
        "required": question.required,
    }
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=SHORT_MAX, **common)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            max_length=LONG_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if kind == QuestionKind.ONE_CHOICE:
        return forms.ChoiceField(choices=question.choice_list(), widget=forms.RadioSelect, **common)
    if kind == QuestionKind.SEVERAL_CHOICES:
        return forms.MultipleChoiceField(
            choices=question.choice_list(), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.DATE:
        return forms.DateField(
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    common["help_text"] = common["help_text"] or _("PDF, DOCX or ODT, up to 10 MB.")
    return QuestionFileField(**common)


def _per_language(build) -> dict[str, str]:
    result = {}
    for language in Language.values:
        with translation.override(language):
            result[language] = str(build(language))
    return result


def answer_entry(question: Question, value) -> dict:
    """An answer as it is stored: the question's wording and choices as they are
    now, the value, and the answer as text in each language."""
    kind = question.kind
    if kind == QuestionKind.ONE_CHOICE:
        names = {key: item["label"] for key, item in _choices(question).items()}
        text = {language: names.get(value, {}).get(language, value) for language in Language.values}
    elif kind == QuestionKind.SEVERAL_CHOICES:
        names = {key: item["label"] for key, item in _choices(question).items()}
        value = list(value)
        text = {
            language: ", ".join(names.get(key, {}).get(language, key) for key in value)
            for language in Language.values
        }
    elif kind == QuestionKind.YES_NO:
        text = labels(dict(YES_NO)[value])
    elif kind == QuestionKind.DATE:
        text = _per_language(lambda language: date_format(value, "DATE_FORMAT"))
        value = value.isoformat()
    elif kind == QuestionKind.FILE:
        checked: CheckedFile = value
        value = {"name": checked.safe_name, "size": checked.size, "sha256": checked.sha256}
        text = dict.fromkeys(Language.values, checked.safe_name)
    else:
        text = dict.fromkeys(Language.values, value)
    return {
        "question": question.pk,
        "kind": kind,
        "label": question.labels(),
        "value": value,
        "text": text,
    }


def _choices(question: Question) -> dict[str, dict]:
    return {item["key"]: item for item in question.choices}


def _initial(question: Question, answer: dict):
    """What a form shows of an earlier answer to the same question."""
    if answer.get("kind") != question.kind or question.kind == QuestionKind.FILE:
        return None
    value = answer.get("value")
    if question.kind in CHOICE_KINDS:
        offered = {key for key, _label in question.choice_list()}
        if question.kind == QuestionKind.ONE_CHOICE:
            return value if value in offered else None
        return [key for key in value or [] if key in offered]
    return value


class QuestionFieldsMixin:
    """Adds the extra questions to a form, and gives their answers and files."""

    # The field holding the applicant's constituency (letter form), or None.
    question_constituency_field: str | None = None
    # The attachment kind of a file answer.
    question_file_kind: str = "question"

    def __init__(self, *args, questions=None, previous_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(self.default_questions() if questions is None else questions)
        if previous_answers is None:
            previous_answers = self.default_previous_answers()
        self.previous_answers = list(previous_answers or [])
        previous = {answer.get("question"): answer for answer in self.previous_answers}
        self.question_map: dict[str, Question] = {}
        # A resumed draft's files that answer file questions: {field name: stored file}.
        self.draft_question_files: dict[str, object] = {}
        for question in self.questions:
            name = f"{FIELD_PREFIX}{question.pk}"
            self.question_map[name] = question
            self.fields[name] = question_field(question)
            if question.pk in previous and name not in self.initial:
                initial = _initial(question, previous[question.pk])
                if initial is not None:
                    self.initial[name] = initial

    def default_questions(self):
        return []

    def default_previous_answers(self):
        """The answers already given (a resubmission): shown again, kept if not changed."""
        return []

    def question_fields(self) -> list[tuple]:
        """(bound field, question) of each question, in order, for the template."""
        return [(self[name], question) for name, question in self.question_map.items()]

    def question_field_set(self) -> dict:
        """What the template needs to show the questions (and hide, with CSS only,
        those asked of other constituencies)."""
        rows = self.question_fields()
        limited = [question for _field, question in rows if question.constituencies]
        return {
            "rows": rows,
            "all_limited": bool(rows) and len(limited) == len(rows),
            "constituencies": sorted({key for q in limited for key in q.constituencies}),
        }

    def _constituency(self):
        if not self.question_constituency_field:
            return None
        return self.data.get(self.add_prefix(self.question_constituency_field))

    def _previous(self, question: Question) -> dict | None:
        for answer in self.previous_answers:
            if answer.get("question") == question.pk and answer.get("kind") == question.kind:
                return answer
        return None

    def applies(self, question: Question) -> bool:
        return not self.question_constituency_field or question.applies_to(self._constituency())

    def full_clean(self):
        """Validate the questions that apply to the constituency chosen; the others
        are left out, as if they were not on the form."""
        if not self.is_bound:
            return super().full_clean()
        saved = {}
        for name, question in self.question_map.items():
            field = self.fields[name]
            saved[name] = (field.required, field.disabled)
            applies = self.applies(question)
            kept_file = question.kind == QuestionKind.FILE and self._previous(question)
            field.required = question.required and applies and not kept_file
            field.disabled = not applies
        try:
            super().full_clean()
        finally:
            for name, (required, disabled) in saved.items():
                self.fields[name].required, self.fields[name].disabled = required, disabled
        return None

    def answers(self) -> list[dict]:
        """The answers to store: one per question answered that applies, earlier
        files kept when none was chosen again, and earlier answers to questions no
        longer on the form (retired) left as they were."""
        result = []
        for name, question in self.question_map.items():
            if not self.applies(question):
                continue
            value = self.cleaned_data.get(name)
            if question.kind == QuestionKind.FILE and not value:
                previous = self._previous(question)
                if previous:
                    result.append(previous)
                continue
            if value in (None, "", [], ()):
                continue
            if isinstance(value, str) and not value.strip():
                continue
            result.append(answer_entry(question, value))
        shown = {question.pk for question in self.questions}
        result += [
            answer for answer in self.previous_answers if answer.get("question") not in shown
        ]
        return result

    def question_files(self, *, for_draft: bool = False) -> list[NewFile]:
        """The checked files of the file answers, to store with the submission; for a
        draft, each of the kind of its field's name, so that it goes back to its
        question when the draft is resumed."""
        files = []
        for name, question in self.question_map.items():
            value = self.cleaned_data.get(name)
            if question.kind == QuestionKind.FILE and value and self.applies(question):
                files.append(NewFile(name if for_draft else self.question_file_kind, value))
        return files

    def file_question_names(self) -> list[str]:
        return [name for name, q in self.question_map.items() if q.kind == QuestionKind.FILE]

    def keep_draft_question_files(self, stored_files) -> None:
        """A resumed draft's stored files that answer this form's file questions
        (their kind is the field's name) count as the answers already given: such a
        question may be left empty, and a new file replaces the kept one."""
        for stored in stored_files:
            question = self.question_map.get(stored.kind)
            if question is None or question.kind != QuestionKind.FILE:
                continue
            self.draft_question_files[stored.kind] = stored
            self.fields[stored.kind].required = False  # shown so: the kept file answers it
            kept = CheckedFile(
                upload=None,
                extension="",
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                safe_name=stored.original_name,
            )
            self.previous_answers = [
                answer for answer in self.previous_answers if answer.get("question") != question.pk
            ] + [answer_entry(question, kept)]

    def draft_question_files_sent(self) -> list:
        """After cleaning: the kept draft files that go with the submission as their
        question's answer (not replaced by a new file, the question still asked)."""
        return [
            stored
            for name, stored in self.draft_question_files.items()
            if not self.cleaned_data.get(name) and self.applies(self.question_map[name])
        ]
