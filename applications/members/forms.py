"""The public directory's filter form."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from applications import uploads
from applications.choices import Constituency, Language, PriorityArea
from applications.regions import Region
from applications.widgets import FastFormMixin
from config.abuse import HoneypotFormMixin

from .models import ContactRole


class DirectoryFilterForm(FastFormMixin, forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
    constituency = forms.ChoiceField(label=_("Constituency"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    priority_area = forms.ChoiceField(label=_("Priority area"), required=False)

    def __init__(self, *args, country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["constituency"].choices = anything + Constituency.choices
        self.fields["region"].choices = anything + Region.choices
        # Only the countries that have listed members: a shorter list to read,
        # and a page that does not render 250 options on every request.
        codes = set(country_codes)
        self.fields["country"].choices = anything + [
            (code, name) for code, name in countries if code in codes
        ]
        self.fields["priority_area"].choices = anything + PriorityArea.choices


# --- The member's self-service (behind its signed link) -----------------------


class MemberLinkRequestForm(HoneypotFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address as a contact of a member organisation"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class MemberProfileForm(HoneypotFormMixin, forms.Form):
    description_es = forms.CharField(
        label=_("Description in Spanish"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_fr = forms.CharField(
        label=_("Description in French"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200
    )
    priority_areas = forms.MultipleChoiceField(
        label=_("Priority areas"),
        choices=PriorityArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    public_listing = forms.BooleanField(
        label=_("List our organisation in the public member directory"), required=False
    )
    logo = forms.FileField(
        label=_("New logo (optional)"),
        help_text=_("PNG, JPEG or WebP, up to 2 MB. It is shown at most 400×400 pixels."),
        required=False,
    )

    LANGUAGES = ("es", "en", "fr")

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return uploads.check_logo(upload) if upload else None

    def descriptions(self) -> dict[str, str]:
        return {
            language: self.cleaned_data[f"description_{language}"] for language in self.LANGUAGES
        }

    @classmethod
    def initial_for(cls, member) -> dict:
        descriptions = member.descriptions or {}
        initial = {
            f"description_{language}": descriptions.get(language, "") for language in cls.LANGUAGES
        }
        if not any(initial.values()) and member.description:
            initial[f"description_{member.language or 'es'}"] = member.description
        return {
            **initial,
            "website": member.website,
            "priority_areas": member.priority_areas,
            "public_listing": member.public_listing,
        }


class MemberContactForm(HoneypotFormMixin, forms.Form):
    """Shown on the member page beside the profile form: ids of its own."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)

    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the emails"), choices=Language.choices)


class MemberEndForm(HoneypotFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "end_%s")
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label=_("Why does your organisation end its membership?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, end our membership of the Alliance. We understand this cannot be undone.")
    )
