"""World regions of the UN M49 standard, derived from a country's ISO code."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", _("Latin America and the Caribbean")
    NORTHERN_AMERICA = "northern_america", _("Northern America")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


# ISO 3166-1 alpha-2 code -> region.
REGION_OF: dict[str, str] = {
    "MX": Region.LATIN_AMERICA_CARIBBEAN,
    "AR": Region.LATIN_AMERICA_CARIBBEAN,
    "CO": Region.LATIN_AMERICA_CARIBBEAN,
    "US": Region.NORTHERN_AMERICA,
    "CA": Region.NORTHERN_AMERICA,
    "KE": Region.AFRICA,
    "SN": Region.AFRICA,
    "FR": Region.EUROPE,
    "ES": Region.EUROPE,
    "IN": Region.ASIA,
    "AU": Region.OCEANIA,
}


def region_for(country_code: str) -> str:
    """The region of a country, or "" for a code outside the table."""
    return REGION_OF.get((country_code or "").upper(), "")
