"""What the letter and nomination forms do alike with a draft."""

from django import forms

from applications.questions.models import FIELD_PREFIX


def fill_initial(form, data: dict) -> None:
    """Put a draft's answers (``QueryDict.lists()`` as saved) into an unbound form:
    a list for a multiple choice, the first value otherwise; files are not answers."""
    for name, values in data.items():
        field = form.fields.get(name)
        if field is None or isinstance(field, forms.FileField):
            continue
        many = isinstance(field, forms.MultipleChoiceField)
        form.initial[name] = list(values) if many else (values[0] if values else "")


def draft_files_shown(form, draft) -> list:
    """The draft's files as its form lists them: a file answering an extra question
    carries that question's label (``question_label``); one whose question is no
    longer asked is left out, and does not go with the submission."""
    shown = []
    for stored in draft.files.all():
        if stored.kind.startswith(FIELD_PREFIX):
            question = form.question_map.get(stored.kind)
            if question is None:
                continue
            stored.question_label = question.label()
        shown.append(stored)
    return shown


def keep_question_files(form, draft, kept) -> None:
    """Before cleaning a resumed draft's form: its kept files that answer the
    form's file questions stand as those answers."""
    form.keep_draft_question_files(draft.files.filter(pk__in=list(kept)))


def files_sent(form, draft, kept) -> list[int]:
    """After cleaning: which of the ``kept`` draft files go with the submission: the
    fixed fields' files, and the question files still answering their question."""
    answering = {stored.pk for stored in form.draft_question_files_sent()}
    for_questions = set(
        draft.files.filter(kind__startswith=FIELD_PREFIX).values_list("pk", flat=True)
    )
    return [pk for pk in kept if pk in answering or pk not in for_questions]
