"""The public directory's filter form."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from applications.choices import Constituency, PriorityArea
from applications.regions import Region
from applications.widgets import FastFormMixin


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
