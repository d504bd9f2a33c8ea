"""The public forms of a letter: the letter itself, its status link, withdrawal and
the new member's onboarding checklist."""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from applications import uploads
from applications.choices import AttachmentKind, PriorityArea, reading_language
from applications.configuration.selectors import communities
from applications.forms import WithdrawalForm
from applications.questions.forms import QuestionFieldsMixin
from applications.questions.selectors import letter_questions
from applications.uploads import NewFile
from applications.widgets import CachedOptionsSelect, FastFormMixin
from config.abuse import HoneypotFormMixin

from .models import LETTER_CONTENT_FIELDS, Letter


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class LetterForm(FastFormMixin, QuestionFieldsMixin, HoneypotFormMixin, forms.ModelForm):
    """The letter of interest. Files are checked by content, not by name.

    The Secretariat's extra questions are added by ``QuestionFieldsMixin``."""

    question_constituency_field = "constituency"
    question_file_kind = AttachmentKind.QUESTION

    priority_areas = forms.MultipleChoiceField(
        label=_("Priority areas your organisation wants to contribute to"),
        choices=PriorityArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=_("For example https://www.example.org"),
    )
    signed_letter = forms.FileField(
        label=_("Signed letter (optional)"),
        help_text=_("PDF, DOCX or ODT, up to 10 MB."),
        required=False,
    )
    other_files = MultipleFileField(
        label=_("Other documents (optional)"),
        help_text=_("Up to 5 files: PDF, DOCX or ODT, up to 10 MB each."),
        required=False,
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Letter
        fields = list(LETTER_CONTENT_FIELDS)
        widgets = {
            "care_work": forms.Textarea(attrs={"rows": 6}),
            "motivation": forms.Textarea(attrs={"rows": 6}),
            "language": forms.RadioSelect,
            "country": CachedOptionsSelect(options_key="countries"),
        }
        help_texts = {
            "care_work": _("Share your organisation's work on care."),
            "motivation": _(
                "Why does your organisation want to be part of this global initiative?"
            ),
        }

    def __init__(self, *args, require_privacy=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = uuid.uuid4()
        if (
            not self.is_bound
            and not self.instance.pk
            and "language" not in kwargs.get("initial", {})
        ):
            # Whoever reads the form in French would otherwise get every email in Spanish.
            self.initial["language"] = reading_language()
        self.fields["consent_privacy"].required = require_privacy
        self.fields["consent_privacy"].label = _(
            "I have read the privacy notice and agree that the Alliance processes this "
            "information to handle our application."
        )
        self.fields["consent_public_listing"].label = _(
            "If we become members, list our organisation in the public member directory."
        )
        for name in ("organisation_name", "contact_name", "contact_role", "contact_email"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "organisation_name": "organization",
                "contact_name": "name",
                "contact_role": "organization-title",
                "contact_email": "email",
            }[name]

    def clean_consent_privacy(self):
        value = self.cleaned_data.get("consent_privacy")
        if self.fields["consent_privacy"].required and not value:
            raise ValidationError(_("We need your agreement to the privacy notice to proceed."))
        return value

    def clean_signed_letter(self):
        upload = self.cleaned_data.get("signed_letter")
        return uploads.check_upload(upload) if upload else None

    def clean_other_files(self):
        files = self.cleaned_data.get("other_files") or []
        if len(files) > settings.ATTACHMENT_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(n)d other documents.") % {"n": settings.ATTACHMENT_MAX_FILES}
            )
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(uploads.check_upload(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked

    def default_questions(self):
        return letter_questions()

    def default_previous_answers(self):
        return self.instance.answers if self.instance.pk else []

    def letter_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in LETTER_CONTENT_FIELDS}

    def new_files(self) -> list[NewFile]:
        files = []
        if self.cleaned_data.get("signed_letter"):
            files.append(NewFile(AttachmentKind.SIGNED_LETTER, self.cleaned_data["signed_letter"]))
        for checked in self.cleaned_data.get("other_files") or []:
            files.append(NewFile(AttachmentKind.OTHER, checked))
        return files + self.question_files()


class StatusLinkRequestForm(HoneypotFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("The contact email given in your letter"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class WithdrawForm(WithdrawalForm):
    confirm_label = _("Yes, withdraw our letter. We understand this cannot be undone.")


class OnboardingChecklistForm(HoneypotFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the organisation in the directory"), max_length=200)
    description = forms.CharField(
        label=_("Short description for the directory"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200
    )
    logo = forms.FileField(
        label=_("Logo (optional)"),
        help_text=_("PNG, JPEG or WebP, up to 2 MB. It is shown at most 400×400 pixels."),
        required=False,
    )
    public_listing = forms.BooleanField(
        label=_("List our organisation in the public member directory"), required=False
    )
    brand_manual_acknowledged = forms.BooleanField(
        label=_(
            "We have received the brand manual and will follow it whenever we use the "
            "Alliance's logo."
        )
    )
    contacts = forms.CharField(
        label=_("Who should receive the Alliance's mail? One e-mail address per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    communities = forms.MultipleChoiceField(
        label=_("Communities of practice you want to join"),
        choices=(),  # the Secretariat's list (applications.configuration), set below
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, brand_manual=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].choices = communities()
        if not brand_manual:
            # Nobody can say they received a manual that was never configured (issue 13).
            del self.fields["brand_manual_acknowledged"]

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return uploads.check_logo(upload) if upload else None

    def clean_contacts(self):
        lines = [line.strip() for line in self.cleaned_data["contacts"].splitlines()]
        addresses = [line for line in lines if line]
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError(
                _("These are not valid e-mail addresses: %(list)s") % {"list": ", ".join(bad)}
            )
        if not addresses:
            raise ValidationError(_("Give at least one e-mail address."))
        if len(addresses) > 10:
            raise ValidationError(_("Give at most 10 e-mail addresses."))
        return list(dict.fromkeys(address.lower() for address in addresses))
