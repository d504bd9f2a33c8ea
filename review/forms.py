import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from applications.choices import Constituency, Language, LetterStatus
from applications.configuration.defaults import DEFAULT_CHECKLIST
from applications.configuration.selectors import checklist_items
from applications.models import ContactRole
from applications.regions import Region
from applications.widgets import CachedOptionsSelect, FastFormMixin

SCREEN_APPROVE = "recommend_approval"
SCREEN_REJECT = "recommend_rejection"
SCREEN_CHANGES = "request_changes"


# The default eligibility checklist; the one in use is the Secretariat's setting
# (applications.configuration: checklist_items).
CHECKLIST = DEFAULT_CHECKLIST


class ScreeningForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of the screening"),
        choices=[
            (SCREEN_APPROVE, _("Recommend approval to the committee")),
            (SCREEN_REJECT, _("Recommend rejection to the committee")),
            (SCREEN_CHANGES, _("Ask the applicant for changes")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Internal note (never shown to the applicant)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        help_text=_("Required when you ask for changes or recommend rejection."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The checklist comes first on the page: it is what the outcome rests on.
        self.items = checklist_items()
        some_optional = not all(item.required for item in self.items)
        checklist = {
            item.key: forms.BooleanField(
                label=item.label,
                required=False,
                help_text=_("Needed to recommend approval.")
                if item.required and some_optional
                else "",
            )
            for item in self.items
        }
        self.fields = {**checklist, **self.fields}

    def checklist(self) -> dict:
        return {item.key: bool(self.cleaned_data.get(item.key)) for item in self.items}

    def clean(self):
        data = super().clean()
        if data.get("outcome") == SCREEN_APPROVE and not all(
            data.get(item.key) for item in self.items if item.required
        ):
            self.add_error(
                "outcome",
                _(
                    "To recommend approval, tick every eligibility item; otherwise "
                    "recommend rejection or ask the applicant for changes."
                ),
            )
        if (
            data.get("outcome") in (SCREEN_REJECT, SCREEN_CHANGES)
            and not (data.get("message") or "").strip()
        ):
            self.add_error(
                "message", _("Write the message the applicant will read for this outcome.")
            )
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve: the organisation becomes a member")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        help_text=_("Required for a rejection."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    reason_required = _("Give the reason for the rejection; the applicant reads it.")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", self.reason_required)
        return data


class OnboardingForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Send the welcome and onboarding email now and list the organisation in the "
            "directory (if it agreed to be listed)"
        ),
    )
    note = forms.CharField(
        label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InboxFilterForm(FastFormMixin, forms.Form):
    q = forms.CharField(label=_("Organisation"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + LetterStatus.choices
    )
    constituency = forms.ChoiceField(
        label=_("Constituency"), required=False, choices=[("", _("Any"))] + Constituency.choices
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=[],
        widget=CachedOptionsSelect(options_key="countries-or-any"),
    )
    open = forms.BooleanField(label=_("Only letters with an open task"), required=False)
    overdue = forms.BooleanField(label=_("Only overdue tasks"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("oldest", _("Oldest first")),
            ("newest", _("Newest first")),
            ("name", _("By name")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any"))] + list(countries)


ZONE_AREAS = {
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic",
    "Australia", "Europe", "Indian", "Pacific",
}  # fmt: skip


class OwnLanguageSelect(forms.Select):
    """Languages named each in itself, and marked so (``lang``), so that a screen
    reader says "Español" in Spanish on an English page."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class EmailPreferenceForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How do you want to hear of new work?"),
        choices=[
            ("immediate", _("An email for each event")),
            ("digest", _("One daily digest")),
        ],
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of your staff pages and emails"),
        choices=[("es", "Español"), ("en", "English"), ("fr", "Français")],
        widget=OwnLanguageSelect,
        required=False,  # left out: the language stays as it is
    )


class NominationScreeningForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Recommendation to the committee"),
        choices=[
            ("approve", _("Recommend approval")),
            ("reject", _("Recommend rejection")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the committee"),
        help_text=_("Required when you recommend rejection."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def clean(self):
        data = super().clean()
        if data.get("recommendation") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why you recommend rejection."))
        return data


class NominationDecisionForm(DecisionForm):
    reason_required = _("Give the reason for the rejection; the nominee reads it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            ("approve", _("Approve: the nominee takes a committee seat")),
            ("reject", _("Reject")),
        ]
        self.fields["reason"].label = _("Reason (sent to the nominee and the nominating member)")


class NominationOnboardingForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Send the committee welcome (what the committee does and its meeting calendar) "
            "and list the person as a committee member in the directory"
        ),
    )
    note = forms.CharField(
        label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReconfirmationFollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        help_text=_(
            "Whom you contacted and what they answered, e.g. that the member confirmed "
            "by phone. The membership does not change."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CallForm(forms.Form):
    """A call for nominations: texts in three languages, dates, seats per constituency."""

    title_es = forms.CharField(label=_("Title (Spanish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    description_es = forms.CharField(
        label=_("Description (Spanish)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    description_fr = forms.CharField(
        label=_("Description (French)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    time_zone = forms.ChoiceField(label=_("Time zone of the dates"))
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    term_starts = forms.DateField(
        label=_("Committee term starts"),
        required=False,
        help_text=_("The term the seats of this call serve, shown in the directory."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    term_ends = forms.DateField(
        label=_("Committee term ends"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    CALL_FIELDS = (
        "title_es",
        "title_en",
        "title_fr",
        "description_es",
        "description_en",
        "description_fr",
        "time_zone",
        "opens_at",
        "closes_at",
        "term_starts",
        "term_ends",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The IANA names by area and city ("Africa/Cairo"), not the old aliases
        # ("Egypt", "Poland"), which read as untranslated country names; a call
        # saved with an alias keeps it.
        zones = {
            zone for zone in zoneinfo.available_timezones() if zone.partition("/")[0] in ZONE_AREAS
        }
        zones |= {"UTC"} | ({self.initial["time_zone"]} if self.initial.get("time_zone") else set())
        self.fields["time_zone"].choices = [(zone, zone) for zone in sorted(zones)]
        self.fields["time_zone"].initial = "America/Mexico_City"
        for value, label in Constituency.choices:
            self.fields[f"seats_{value}"] = forms.IntegerField(
                label=_("Seats: %(constituency)s") % {"constituency": label},
                min_value=0,
                max_value=50,
                initial=0,
                required=False,
            )

    def _in_zone(self, name):
        """Read a typed date-time as wall-clock time in the chosen time zone."""
        value = self.cleaned_data.get(name)
        zone = self.cleaned_data.get("time_zone")
        if value is None or not zone:
            return value
        return timezone.make_aware(timezone.make_naive(value), zoneinfo.ZoneInfo(zone))

    def clean(self):
        data = super().clean()
        for name in ("opens_at", "closes_at"):
            if data.get(name) is not None:
                data[name] = self._in_zone(name)
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The call must close after it opens."))
        if not any(data.get(f"seats_{value}") for value in Constituency.values):
            raise forms.ValidationError(_("Give at least one constituency one seat or more."))
        return data

    def call_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.CALL_FIELDS}

    def seats(self) -> dict[str, int]:
        return {
            value: self.cleaned_data.get(f"seats_{value}") or 0 for value in Constituency.values
        }


class MailingListForm(forms.Form):
    """Which contacts of active members a mailing list holds; every filter optional."""

    constituency = forms.ChoiceField(label=_("Constituency"), required=False, choices=())
    region = forms.ChoiceField(label=_("Region"), required=False, choices=())
    language = forms.ChoiceField(label=_("Contact's language"), required=False, choices=())
    role = forms.ChoiceField(label=_("Role"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.fields["constituency"].choices = any_ + list(Constituency.choices)
        self.fields["region"].choices = any_ + list(Region.choices)
        self.fields["language"].choices = any_ + list(Language.choices)
        self.fields["role"].choices = any_ + list(ContactRole.choices)
