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


# The countries of each region, by M49 sub-region, as ISO 3166-1 alpha-2 codes.
# Antarctica (AQ) belongs to no M49 region and is left out. Taiwan (TW), which
# M49 does not list on its own, is counted with Eastern Asia; Kosovo (XK), a
# user-assigned code that a site may add through COUNTRIES_OVERRIDE, with Southern Europe.
_COUNTRIES: dict[str, str] = {
    Region.AFRICA: (
        # Northern Africa
        "DZ EG LY MA SD TN EH "
        # Eastern Africa
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "
        # Middle Africa
        "AO CM CF TD CG CD GQ GA ST "
        # Southern Africa
        "BW SZ LS NA ZA "
        # Western Africa
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"
    ),
    Region.LATIN_AMERICA_CARIBBEAN: (
        # Caribbean
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "
        # Central America
        "BZ CR SV GT HN MX NI PA "
        # South America
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE"
    ),
    Region.NORTHERN_AMERICA: "BM CA GL PM US",
    Region.ASIA: (
        # Central Asia
        "KZ KG TJ TM UZ "
        # Eastern Asia
        "CN HK MO KP JP MN KR TW "
        # South-eastern Asia
        "BN KH ID LA MY MM PH SG TH TL VN "
        # Southern Asia
        "AF BD BT IN IR MV NP PK LK "
        # Western Asia
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"
    ),
    Region.EUROPE: (
        # Eastern Europe
        "BY BG CZ HU PL MD RO RU SK UA "
        # Northern Europe
        "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "
        # Southern Europe
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK "
        # Western Europe
        "AT BE FR DE LI LU MC NL CH"
    ),
    Region.OCEANIA: (
        # Australia and New Zealand
        "AU CX CC HM NZ NF "
        # Melanesia
        "FJ NC PG SB VU "
        # Micronesia
        "GU KI MH FM NR MP PW UM "
        # Polynesia
        "AS CK PF NU PN WS TK TO TV WF"
    ),
}

# ISO 3166-1 alpha-2 code -> region.
REGION_OF: dict[str, str] = {
    code: region for region, codes in _COUNTRIES.items() for code in codes.split()
}


def region_for(country_code: str) -> str:
    """The region of a country, or "" for a code outside the table."""
    return REGION_OF.get((country_code or "").upper(), "")
