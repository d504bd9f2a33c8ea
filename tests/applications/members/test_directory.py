"""The public member directory: only consenting members, filters, counts, member pages."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from applications.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


URL = reverse("directory")


def member(name, **fields):
    values = {
        "constituency": "civil_society",
        "country": "MX",
        "contact_email": "x@example.org",
        "language": "es",
        "public_listing": True,
        "member_since": timezone.localdate(),
        "priority_areas": ["knowledge_data"],
        **fields,
    }
    return Organisation.objects.create(name=name, **values)


def listed(response):
    return [m.name for m in response.context["page"].object_list]


def test_only_consenting_members_are_listed(client):
    member("Visible")
    member("Hidden", public_listing=False)
    member("Not yet a member", member_since=None)
    assert listed(client.get(URL)) == ["Visible"]
    assert (
        client.get(
            reverse("member_detail", args=[Organisation.objects.get(name="Hidden").pk])
        ).status_code
        == 404
    )


def test_filters_search_and_counts(client):
    member(
        "Sindicato Sur", constituency="trade_union", country="AR", priority_areas=["communication"]
    )
    member("Red Kenia", constituency="youth", country="KE")
    member("Université du Soin", constituency="academia", country="FR", acronym="UDS")
    assert listed(client.get(URL, {"region": "africa"})) == ["Red Kenia"]
    assert listed(client.get(URL, {"constituency": "trade_union"})) == ["Sindicato Sur"]
    assert listed(client.get(URL, {"country": "FR"})) == ["Université du Soin"]
    assert listed(client.get(URL, {"priority_area": "communication"})) == ["Sindicato Sur"]
    assert listed(client.get(URL, {"q": "uds"})) == ["Université du Soin"]
    response = client.get(URL, {"q": "nada"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "No member matches these filters." in response.content.decode()
    counts = dict(client.get(URL).context["counts"])
    assert counts["Trade union"] == 1 and counts["Youth organisation"] == 1
    assert counts["Private sector"] == 0


def test_member_page(client):
    org = member("Ciudad Cuidadora", website="https://ciudad.example.org", description="Cuidamos.")
    html = client.get(reverse("member_detail", args=[org.pk])).content.decode()
    assert (
        "Ciudad Cuidadora" in html and "Cuidamos." in html and "https://ciudad.example.org" in html
    )


def test_directory_queries_do_not_grow_with_members(client, django_assert_num_queries):
    for i in range(3):
        member(f"Miembro {i}")
    client.get(URL)
    cache.clear()
    # The stamp, the committee members and the page: the counts and countries (one
    # grouped read, which also gives the number of members of an unfiltered page)
    # were read with this stamp already, by the first page.
    with django_assert_num_queries(3):
        client.get(URL)
    with django_assert_num_queries(1):  # served from the cache: only the freshness stamp
        client.get(URL)
    for i in range(60):
        member(f"Otro {i:02d}")
    with django_assert_num_queries(4):  # a new stamp: the counts and countries read again
        response = client.get(URL, {"page": 2})
    assert len(listed(response)) == 13
    assert "63 members listed" in response.content.decode()
    with django_assert_num_queries(4):  # a search counts what it finds
        response = client.get(URL, {"q": "otro", "page": 2})
    assert len(listed(response)) == 10
    assert "60 members listed" in response.content.decode()
    member("Juventud Cuidadora", constituency="youth")
    with django_assert_num_queries(4):  # one constituency: its count is in the facets
        client.get(URL)
    with django_assert_num_queries(3):
        response = client.get(URL, {"constituency": "youth"})
    assert listed(response) == ["Juventud Cuidadora"]
    assert "1 member listed" in response.content.decode()
    response = client.get(URL, {"constituency": "civil_society", "page": 2})
    assert "63 members listed" in response.content.decode() and len(listed(response)) == 13


def test_cached_directory_follows_changes_and_language(client):
    org = member("Primera")
    assert listed(client.get(URL)) == ["Primera"]
    cached = client.get(URL).content.decode()
    assert "Primera" in cached
    org.name = "Renombrada"
    org.save()
    assert "Renombrada" in client.get(URL).content.decode()
    member("Oculta", public_listing=False).delete()
    spanish = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="es"' in spanish and 'lang="en"' in english


def test_language_switch_works_from_a_cached_page(client):
    member("Primera")
    client.get(URL)
    response = client.post(reverse("set_language"), {"language": "fr", "next": URL})
    assert response.status_code == 302
    assert 'lang="fr"' in client.get(URL).content.decode()
