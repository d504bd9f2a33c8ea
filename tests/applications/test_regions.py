"""Every country django-countries offers gets its UN M49 region."""

import pytest
from django_countries import countries

from applications.models import Organisation
from applications.regions import REGION_OF, Region, region_for

# M49 puts Antarctica in no region.
WITHOUT_REGION = ["AQ"]


def test_every_country_has_a_region_except_a_short_list():
    missing = sorted(country.code for country in countries if not region_for(country.code))
    assert missing == WITHOUT_REGION


def test_the_table_uses_only_the_defined_regions():
    assert set(REGION_OF.values()) == set(Region.values)
    assert all(len(code) == 2 and code.isupper() for code in REGION_OF)


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("MX", Region.LATIN_AMERICA_CARIBBEAN),
        ("BR", Region.LATIN_AMERICA_CARIBBEAN),
        ("JM", Region.LATIN_AMERICA_CARIBBEAN),
        ("US", Region.NORTHERN_AMERICA),
        ("CA", Region.NORTHERN_AMERICA),
        ("KE", Region.AFRICA),
        ("EG", Region.AFRICA),
        ("ZA", Region.AFRICA),
        ("FR", Region.EUROPE),
        ("RU", Region.EUROPE),
        ("TR", Region.ASIA),
        ("IN", Region.ASIA),
        ("JP", Region.ASIA),
        ("AU", Region.OCEANIA),
        ("FJ", Region.OCEANIA),
    ],
)
def test_spot_checks(code, region):
    assert region_for(code) == region


def test_lower_case_unknown_and_empty_codes():
    assert region_for("mx") == Region.LATIN_AMERICA_CARIBBEAN
    assert region_for("ZZ") == ""
    assert region_for("") == ""
    assert region_for(None) == ""


@pytest.mark.django_db
def test_an_organisation_gets_its_region_when_saved():
    org = Organisation.objects.create(
        name="Pacific Caregivers Network",
        constituency="caregivers",
        country="FJ",
        contact_email="hello@pcn.example.org",
        language="en",
    )
    org.refresh_from_db()
    assert org.region == Region.OCEANIA
