"""Forms of the Secretariat's own area: texts, settings and extra questions."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from applications.choices import Constituency, Language
from applications.configuration.defaults import ITEM_KEY, MAX_ITEMS, MAX_LABEL, RESERVED_KEYS
from applications.models import Call
from applications.questions.models import CHOICE_KINDS, QuestionKind, QuestionTarget
from applications.questions.services import choice_key

LANGUAGE_NAMES = dict(Language.choices)


class TextForm(forms.Form):
    """One text in the three languages: a subject (emails) and a body each."""

    def __init__(self, *args, spec, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        for language in Language.values:
            name = LANGUAGE_NAMES[language]
            if spec.has_subject:
                self.fields[f"subject_{language}"] = forms.CharField(
                    label=_("Subject (%(language)s)") % {"language": name},
                    max_length=255,
                    required=False,
                    strip=False,
                    widget=forms.TextInput(attrs={"lang": language, "spellcheck": "true"}),
                )
            self.fields[f"body_{language}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                required=False,
                strip=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 16, "lang": language, "spellcheck": "true"}),
            )

    def languages_with_errors(self) -> set[str]:
        return {name.rsplit("_", 1)[1] for name in self.errors if "_" in name}

    def wording(self, language: str) -> tuple[str, str]:
        """(subject, body) typed for ``language``."""
        subject = self.cleaned_data.get(f"subject_{language}", "") or ""
        body = (self.cleaned_data.get(f"body_{language}", "") or "").replace("\r\n", "\n")
        return subject.strip(), body.strip()

    def clean(self):
        data = super().clean()
        for language in Language.values:
            subject, body = self.wording(language)
            found = self.spec.check(subject=subject, body=body)
            for problem in found["subject"]:
                self.add_error(f"subject_{language}", problem)
            for problem in found["body"]:
                self.add_error(f"body_{language}", problem)
        return data


class DeadlinesForm(forms.Form):
    screen = forms.IntegerField(label=_("Days to screen a letter"), min_value=1, max_value=365)
    decide = forms.IntegerField(label=_("Days to decide on a letter"), min_value=1, max_value=365)
    onboard = forms.IntegerField(
        label=_("Days to onboard a new member"), min_value=1, max_value=365
    )

    def value(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("screen", "decide", "onboard")}

    @staticmethod
    def initial_for(value) -> dict:
        return dict(value)


class RemindersForm(forms.Form):
    onboarding = forms.CharField(
        label=_("Remind a new member who has not onboarded, days after approval"),
        help_text=_("Up to five numbers separated by commas, e.g. 7, 21."),
        max_length=100,
    )

    def clean_onboarding(self):
        parts = [part.strip() for part in self.cleaned_data["onboarding"].split(",")]
        try:
            days = [int(part) for part in parts if part]
        except ValueError as exc:
            raise forms.ValidationError(_("Write whole numbers separated by commas.")) from exc
        if not days:
            raise forms.ValidationError(_("Give at least one day."))
        return days

    def value(self) -> dict:
        return {"onboarding": self.cleaned_data["onboarding"]}

    @staticmethod
    def initial_for(value) -> dict:
        return {"onboarding": ", ".join(str(day) for day in value.get("onboarding", []))}


class ItemForm(forms.Form):
    """One item of a list with labels in three languages (checklist, communities)."""

    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    label_es = forms.CharField(label=_("Label (Spanish)"), max_length=MAX_LABEL, required=False)
    label_en = forms.CharField(label=_("Label (English)"), max_length=MAX_LABEL, required=False)
    label_fr = forms.CharField(label=_("Label (French)"), max_length=MAX_LABEL, required=False)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(
            (data.get(f"label_{language}") or "").strip() for language in Language.values
        )

    def clean(self):
        data = super().clean()
        if data.get("remove") or self.is_blank():
            return data
        for language in Language.values:
            if not (data.get(f"label_{language}") or "").strip():
                self.add_error(f"label_{language}", _("Give the label in all three languages."))
        key = data.get("key") or ""
        if key and not ITEM_KEY.fullmatch(key):
            self.add_error(None, _("This item's key was changed; reload the page."))
        return data


class ChecklistItemForm(ItemForm):
    required = forms.BooleanField(label=_("Needed to recommend approval"), required=False)


class BaseItemFormSet(forms.BaseFormSet):
    with_required = False

    def items(self) -> list[dict]:
        taken = {form.cleaned_data.get("key") for form in self.forms if form.cleaned_data}
        taken |= RESERVED_KEYS
        items = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("remove") or form.is_blank():
                continue
            key = data.get("key") or choice_key(data["label_en"], taken)
            taken.add(key)
            item = {
                "key": key,
                "label": {
                    language: data[f"label_{language}"].strip() for language in Language.values
                },
            }
            if self.with_required:
                item["required"] = bool(data.get("required"))
            items.append(item)
        return items

    @classmethod
    def initial_for(cls, value) -> list[dict]:
        rows = []
        for item in value:
            row = {"key": item["key"]}
            row.update(
                {
                    f"label_{language}": item["label"].get(language, "")
                    for language in Language.values
                }
            )
            if cls.with_required:
                row["required"] = item.get("required", False)
            rows.append(row)
        return rows


class ChecklistFormSet(BaseItemFormSet):
    with_required = True


ChecklistForms = formset_factory(
    ChecklistItemForm, formset=ChecklistFormSet, extra=2, max_num=MAX_ITEMS, validate_max=True
)
CommunityForms = formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=2, max_num=MAX_ITEMS, validate_max=True
)


class QuestionForm(forms.Form):
    """An extra question: where it is asked, what kind of answer, in three languages."""

    target = forms.ChoiceField(
        label=_("Form"), choices=QuestionTarget.choices, widget=forms.RadioSelect
    )
    call = forms.ModelChoiceField(
        label=_("Call (nomination form)"),
        queryset=Call.objects.order_by("-opens_at"),
        required=False,
        empty_label=_("Choose a call"),
    )
    constituencies = forms.MultipleChoiceField(
        label=_("Ask only these constituencies (letter form; none ticked: every applicant)"),
        choices=Constituency.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    label_es = forms.CharField(label=_("Question (Spanish)"), max_length=300)
    label_en = forms.CharField(label=_("Question (English)"), max_length=300)
    label_fr = forms.CharField(label=_("Question (French)"), max_length=300)
    help_es = forms.CharField(label=_("Help (Spanish)"), max_length=500, required=False)
    help_en = forms.CharField(label=_("Help (English)"), max_length=500, required=False)
    help_fr = forms.CharField(label=_("Help (French)"), max_length=500, required=False)
    choices = forms.CharField(
        label=_("Choices (one or several choices): one per line, as Spanish | English | French"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    position = forms.IntegerField(
        label=_("Order (smaller first)"), min_value=0, max_value=999, initial=0
    )

    def __init__(self, *args, question=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question

    def clean_choices(self):
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]
        parsed, taken = [], set()
        previous = {
            tuple(item["label"].get(language) for language in Language.values): item["key"]
            for item in (self.question.choices if self.question else [])
        }
        for line in lines:
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 3 or not all(parts):
                raise forms.ValidationError(
                    _("Write each choice as Spanish | English | French: “%(line)s”.")
                    % {"line": line[:80]}
                )
            key = previous.get(tuple(parts)) or choice_key(parts[1], taken)
            taken.add(key)
            parsed.append({"key": key, "label": dict(zip(Language.values, parts, strict=True))})
        return parsed

    def clean(self):
        data = super().clean()
        if data.get("target") == QuestionTarget.NOMINATION and not data.get("call"):
            self.add_error("call", _("Choose the call whose nomination form asks this question."))
        if data.get("kind") in CHOICE_KINDS and len(data.get("choices") or []) < 2:
            self.add_error("choices", _("Give at least two choices."))
        return data

    @staticmethod
    def initial_for(question) -> dict:
        initial = {
            name: getattr(question, name)
            for name in (
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
                "required",
                "position",
            )
        }
        initial["choices"] = "\n".join(
            " | ".join(item["label"].get(language, "") for language in Language.values)
            for item in question.choices
        )
        return initial
