"""The directory finds people's words: without accents or case, on SQLite and
PostgreSQL alike, and orders names as a reader of es, en or fr expects."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from applications import matching
from applications.members import selectors
from tests import factories

pytestmark = pytest.mark.django_db

NAMES = [
    "Ministry of Women",
    "Fundación Cuidar",
    "Ministère des Solidarités",
    "Fédération des Aidants",
    "Confederación Sindical Internacional",
    "Élan Solidaire",
    "asociación de cuidadoras",
    "Zeta Care",
]


@pytest.fixture(autouse=True)
def _members():
    cache.clear()
    for name in NAMES:
        factories.member(
            name=name, public_listing=True, acronym="CSI" if "Sindical" in name else ""
        )


def listed(client, language, **query):
    response = client.get(
        reverse("directory"), query, headers={"cookie": f"django_language={language}"}
    )
    assert response.status_code == 200
    return [m.name for m in response.context["page"].object_list]


@pytest.mark.parametrize("language", ["es", "en", "fr"])
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("confederacion", ["Confederación Sindical Internacional"]),
        ("CONFEDERACIÓN sindical", ["Confederación Sindical Internacional"]),
        ("csi", ["Confederación Sindical Internacional"]),
        ("federation", ["Fédération des Aidants"]),
        ("ministere", ["Ministère des Solidarités"]),
        ("elan", ["Élan Solidaire"]),
        ("Asociación", ["asociación de cuidadoras"]),
        ("solid", ["Élan Solidaire", "Ministère des Solidarités"]),
        ("100%", []),
        ("_", []),
    ],
)
def test_search_ignores_accents_and_case(client, language, query, found):
    assert listed(client, language, q=query) == found


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_names_are_ordered_as_readers_expect(client, language):
    assert listed(client, language) == [
        "asociación de cuidadoras",
        "Confederación Sindical Internacional",
        "Élan Solidaire",
        "Fédération des Aidants",
        "Fundación Cuidar",
        "Ministère des Solidarités",
        "Ministry of Women",
        "Zeta Care",
    ]


def test_the_search_page_makes_the_same_queries_whatever_is_found(client):
    """Logged in, so the per-process page cache does not hide the queries."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(get_user_model().objects.create_user("visitor"))
    counts = []
    for query in ("confederacion", "a", "nada"):
        with CaptureQueriesContext(connection) as context:
            client.get(reverse("directory"), {"q": query})
        counts.append(len(context))
    one, many, none = counts
    assert one == many and none <= one, counts  # an empty page skips the rows' query


def test_a_renamed_member_is_found_by_its_new_name():
    member = selectors.directory_members().get(name="Zeta Care")
    member.name = "Red Ñandú"
    member.save(update_fields=["name"])
    assert [m.pk for m in selectors.directory_search(query="nandu")] == [member.pk]
    assert matching.fold("  Ñandú\tRED ") == "nandu red"
