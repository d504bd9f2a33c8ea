"""The public nomination and consent forms."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications import uploads
from applications.choices import Constituency, Language, NominationAttachmentKind, reading_language
from applications.forms import WithdrawalForm
from applications.members import selectors as members
from applications.questions.forms import QuestionFieldsMixin
from applications.questions.selectors import call_questions
from applications.widgets import FastFormMixin
from config.abuse import HoneypotFormMixin

from .services import NOMINATION_FIELDS, NewFile


class NominationForm(FastFormMixin, QuestionFieldsMixin, HoneypotFormMixin, forms.Form):
    """A member's nomination of a person for one call. Files are checked by content.

    The call's extra questions are added by ``QuestionFieldsMixin``."""

    question_file_kind = NominationAttachmentKind.QUESTION

    nominee_name = forms.CharField(label=_("Nominee's full name"), max_length=150)
    nominee_email = forms.EmailField(
        label=_("Nominee's e-mail"),
        help_text=_("The nominee confirms the nomination through a link sent to this address."),
    )
    nominee_position = forms.CharField(label=_("Nominee's position"), max_length=150)
    nominee_organisation = forms.ModelChoiceField(
        label=_("Member organisation the nominee belongs to"),
        queryset=members.members().order_by("name"),
        empty_label=_("Choose a member organisation"),
    )
    nominee_language = forms.ChoiceField(
        label=_("Language in which we write to the nominee"),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )
    constituency = forms.ChoiceField(label=_("Constituency of the seat"), choices=())
    motivation = forms.CharField(
        label=_("Statement of motivation"),
        help_text=_("Why this person, and what they would bring to the Management Committee."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    cv = forms.FileField(label=_("Nominee's CV"), help_text=_("PDF, DOCX or ODT, up to 10 MB."))
    endorsement = forms.FileField(
        label=_("Endorsement letter from your organisation"),
        help_text=_("PDF, DOCX or ODT, up to 10 MB."),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, questions=call_questions(call), **kwargs)
        labels = dict(Constituency.choices)
        self.fields["constituency"].choices = [("", _("Choose a constituency"))] + [
            (seat.constituency, f"{labels[seat.constituency]} ({seat.seats})")
            for seat in call.seats.all()
        ]
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = uuid.uuid4()
        if not self.is_bound and "nominee_language" not in self.initial:
            self.initial["nominee_language"] = reading_language()
        self.fields["nominee_name"].widget.attrs["autocomplete"] = "off"
        self.fields["nominee_email"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        organisation, constituency = data.get("nominee_organisation"), data.get("constituency")
        if organisation and constituency and organisation.constituency != constituency:
            self.add_error(
                "constituency",
                ValidationError(
                    _(
                        "%(org)s belongs to the constituency “%(theirs)s”: a nominee takes a "
                        "seat of their own organisation's constituency."
                    )
                    % {"org": organisation.name, "theirs": organisation.get_constituency_display()}
                ),
            )
        return data

    def nomination_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in NOMINATION_FIELDS}

    def clean_cv(self):
        return self._checked("cv")

    def clean_endorsement(self):
        return self._checked("endorsement")

    def _checked(self, name):
        # Not required when a resumed draft keeps one (``files_kept``): then it may be empty.
        upload = self.cleaned_data.get(name)
        return uploads.check_upload(upload) if upload else None

    def files_kept(self, kinds) -> None:
        """A resumed draft keeps a file of each of ``kinds``: those fields may stay empty."""
        for kind in kinds:
            if kind in ("cv", "endorsement"):
                self.fields[kind].required = False

    def new_files(self) -> list[NewFile]:
        files = [
            NewFile(kind, self.cleaned_data[kind])
            for kind in (NominationAttachmentKind.CV, NominationAttachmentKind.ENDORSEMENT)
            if self.cleaned_data.get(kind)
        ]
        return [*files, *self.question_files()]


class ConsentForm(HoneypotFormMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("accept", _("I accept the nomination and agree to serve if approved")),
            ("decline", _("I decline the nomination")),
        ],
        widget=forms.RadioSelect,
    )


class NominationWithdrawForm(WithdrawalForm):
    confirm_label = _("Yes, withdraw this nomination. We understand this cannot be undone.")


class NominationLinkRequestForm(HoneypotFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your member organisation's contact e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
