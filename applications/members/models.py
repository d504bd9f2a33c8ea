"""Organisations once they are members of the Alliance."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from applications import matching
from applications.choices import Constituency, Language
from applications.regions import Region, region_for

from . import directory_cache


class Organisation(models.Model):
    """A member organisation of the Alliance, created when its letter is approved."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    constituency = models.CharField(_("constituency"), max_length=40, choices=Constituency)
    country = CountryField(_("country"))
    region = models.CharField(
        _("region"), max_length=30, choices=Region, blank=True, db_index=True, editable=False
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("contact email"))
    language = models.CharField(_("language"), max_length=2, choices=Language)
    priority_areas = models.JSONField(_("priority areas"), default=list, blank=True)
    public_listing = models.BooleanField(_("listed in the public directory"), default=False)
    member_since = models.DateField(_("member since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Any change moves it, which renews the cached directory pages.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Matching keys (see applications.matching), kept in step by save().
    name_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    website_domain = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    # The member's logo, re-encoded as PNG, on the "attachments" storage.
    logo_key = models.CharField(max_length=255, blank=True, editable=False)
    # Stable key of a member imported from the old roll, so a re-import updates it.
    import_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = matching.name_key(self.name)
        self.website_domain = matching.website_domain(self.website)
        self.region = region_for(self.country.code if self.country else "")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "name_key",
                "website_domain",
                "region",
                "updated_at",
            }
        super().save(*args, **kwargs)
        directory_cache.changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        directory_cache.changed()
        return result
