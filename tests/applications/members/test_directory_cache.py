"""The cached directory's freshness stamp (applications/members/directory_cache.py): read
from the shared cache table, renewed by every write path, in its transaction."""

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.members import directory_cache
from applications.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("directory")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def listed(name, **fields):
    return factories.member(
        name=name, public_listing=True, member_since=timezone.localdate(), **fields
    )


def page(client) -> str:
    return client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def served_from_cache(client, django_assert_num_queries) -> str:
    with django_assert_num_queries(1):  # the stamp, nothing about organisations
        return page(client)


def test_a_cached_page_reads_the_stamp_not_the_organisations(client, django_assert_num_queries):
    for i in range(5):
        listed(f"Miembro {i}")
    page(client)
    with CaptureQueriesContext(connection) as captured:
        served_from_cache(client, django_assert_num_queries)
    (query,) = captured.captured_queries
    assert "shared_cache" in query["sql"] and "applications_organisation" not in query["sql"]


def test_the_stamp_is_in_the_table_every_process_reads(client, django_assert_num_queries):
    assert isinstance(caches["shared"], DatabaseCache)
    listed("Primera")
    assert "Primera" in page(client)
    served_from_cache(client, django_assert_num_queries)
    # Another web process renews it: its own cache object, the same table.
    other_process = DatabaseCache(caches["shared"]._table, {})
    other_process.set(directory_cache.KEY, "renewed-elsewhere", timeout=None)
    Organisation.objects.filter(name="Primera").update(name="Renamed elsewhere")
    assert "Renamed elsewhere" in page(client)


def test_saving_an_organisation_renews_the_page(client, django_assert_num_queries):
    org = listed("Primera")
    page(client)
    served_from_cache(client, django_assert_num_queries)
    org.name = "Renombrada"
    org.save()
    html = page(client)
    assert "Renombrada" in html and "Primera" not in html


def test_deleting_an_organisation_renews_the_page(client):
    listed("Se queda")
    gone = listed("Se va")
    assert "Se va" in page(client)
    gone.delete()
    assert "Se va" not in page(client) and "Se queda" in page(client)


def test_the_admins_bulk_delete_renews_the_page(client, admin_client):
    gone = listed("Borrada en lote")
    listed("Se queda")
    assert "Borrada en lote" in page(client)
    response = admin_client.post(
        reverse("admin:applications_organisation_changelist"),
        {"action": "delete_selected", "_selected_action": [gone.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=gone.pk).exists()
    assert "Borrada en lote" not in page(client)


def test_the_import_renews_the_page_once_for_all_its_rows(client):
    from pathlib import Path

    from applications.members.imports import members_import

    listed("Ya estaba")
    assert "Instituto Nacional de Cuidados" not in page(client)
    sample = (Path(__file__).parent / "members_sample.csv").read_bytes()
    with CaptureQueriesContext(connection) as captured:
        report = members_import(data=sample)
    assert report.ok and report.created == 12
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if "shared_cache" in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert len(writes) == 1, writes
    assert "Instituto Nacional de Cuidados" in page(client)


def test_a_dry_run_or_a_refused_import_leaves_the_page_alone(client, django_assert_num_queries):
    from pathlib import Path

    from applications.members.imports import members_import

    listed("Ya estaba")
    page(client)
    sample = (Path(__file__).parent / "members_sample.csv").read_bytes()
    assert members_import(data=sample, dry_run=True).ok
    assert not members_import(data=sample + b"bad,row\n").ok
    served_from_cache(client, django_assert_num_queries)


def test_a_rolled_back_write_keeps_the_stamp(client, django_assert_num_queries):
    org = listed("Primera")
    page(client)
    before = caches["shared"].get(directory_cache.KEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        org.name = "Never committed"
        org.save()
        assert caches["shared"].get(directory_cache.KEY) != before
        raise RuntimeError
    assert caches["shared"].get(directory_cache.KEY) == before
    assert "Primera" in served_from_cache(client, django_assert_num_queries)


def test_onboarding_a_nominee_renews_the_committee_list(
    client, reviewer, approver, django_assert_num_queries
):
    from applications.nominations import services as nominations
    from review.selectors import nomination_open_task
    from review.task_actions import task_complete

    nominee_org = listed("Organización Nominada")
    nomination = factories.nomination_in_state(
        "approved",
        call=factories.call(),
        reviewer=reviewer,
        approver=approver,
        nominee_organisation=nominee_org,
        nominee_name="Ana Comité",
    )
    assert "Ana Comité" not in page(client)
    served_from_cache(client, django_assert_num_queries)
    task_complete(
        task=nomination_open_task(nomination=nomination, node_name="onboard"),
        user=reviewer,
        action=lambda: nominations.nomination_onboard(nomination=nomination, by=reviewer),
    )
    assert "Ana Comité" in page(client)


# Outside a test transaction, as a web request runs: on PostgreSQL a failed read
# would abort an enclosing transaction.
@pytest.mark.django_db(transaction=True)
def test_without_the_shared_table_the_directory_still_works(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {**settings.CACHES["shared"], "LOCATION": "no_such_table"},
    }
    org = listed("Primera")
    assert "Primera" in page(client)
    org.name = "Renombrada"
    org.save()  # renewing fails quietly; the counted stamp follows the change
    assert "Renombrada" in page(client)
