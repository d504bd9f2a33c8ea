"""What the letter and nomination forms do alike with a draft."""

from django import forms


def fill_initial(form, data: dict) -> None:
    """Put a draft's answers (``QueryDict.lists()`` as saved) into an unbound form:
    a list for a multiple choice, the first value otherwise; files are not answers."""
    for name, values in data.items():
        field = form.fields.get(name)
        if field is None or isinstance(field, forms.FileField):
            continue
        many = isinstance(field, forms.MultipleChoiceField)
        form.initial[name] = list(values) if many else (values[0] if values else "")
