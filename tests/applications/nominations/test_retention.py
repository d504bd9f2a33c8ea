"""Retention for nominees: declined, lapsed, rejected and withdrawn nominations
are anonymised RETENTION_MONTHS calendar months after they closed (a stored
timestamp a later save does not move), their files deleted; --dry-run lists."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from applications.models import Nomination
from applications.nominations.retention import months_before, nominations_due_for_anonymisation
from notifications.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db

CLOSED_ON = datetime.datetime(2026, 1, 31, 10, tzinfo=datetime.UTC)


def purge(*args) -> str:
    out = io.StringIO()
    call_command("retention_purge", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("state", ["declined", "withdrawn", "rejected"])
def test_a_closed_nomination_is_anonymised_a_year_of_months_after_it_closed(
    state, make_nomination, aws, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_MONTHS = 12
    with time_machine.travel(CLOSED_ON, tick=False):
        nomination = make_nomination(state, call=factories.call(), nominee_name="Ana Gómez Ruiz")
    assert nomination.closed_at == CLOSED_ON
    keys = list(nomination.attachments.values_list("key", flat=True))
    assert keys and set(keys) <= set(aws.object_keys())
    # A later save does not restart the clock (updated_at would).
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=200), tick=False):
        Nomination.objects.get(pk=nomination.pk).save()

    # 31 January 2026 + 12 months = 31 January 2027: the day before, nothing.
    with time_machine.travel(datetime.datetime(2027, 1, 30, 23, tzinfo=datetime.UTC)):
        assert "0 nominations anonymised" in purge()
    with time_machine.travel(datetime.datetime(2027, 1, 31, 11, tzinfo=datetime.UTC)):
        listing = purge("--dry-run")
        assert f"nomination {nomination.pk}: {state}, closed 2026-01-31" in listing
        assert Nomination.objects.get(pk=nomination.pk).anonymised_at is None  # dry run
        with django_capture_on_commit_callbacks(execute=True):
            assert "1 nominations anonymised" in purge()

    nomination = Nomination.objects.get(pk=nomination.pk)
    assert nomination.anonymised_at is not None
    assert "Ana" not in nomination.nominee_name and nomination.motivation == ""
    assert nomination.nominee_email.endswith("@invalid.example")
    assert not nomination.attachments.exists()
    assert not set(keys) & set(aws.object_keys())
    assert not OutboxMessage.objects.filter(
        object_type="applications.nomination", object_id=nomination.pk, body_text__contains="Ana"
    ).exists()
    assert nomination.status == state and nomination.constituency  # statistics kept


def test_open_and_seated_nominations_are_kept(make_nomination, settings):
    settings.RETENTION_MONTHS = 1
    with time_machine.travel(CLOSED_ON, tick=False):
        call = factories.call()
        kept = [
            make_nomination(state, call=call)
            for state in ("awaiting_consent", "submitted", "approved")
        ]
    with time_machine.travel(CLOSED_ON + datetime.timedelta(days=400)):
        assert nominations_due_for_anonymisation().count() == 0
    assert all(Nomination.objects.get(pk=n.pk).anonymised_at is None for n in kept)


def test_months_are_calendar_months():
    at = datetime.datetime(2027, 3, 31, 12, tzinfo=datetime.UTC)
    assert months_before(at, 1) == datetime.datetime(2027, 2, 28, 12, tzinfo=datetime.UTC)
    assert months_before(at, 12) == datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)
    assert months_before(at, 13) == datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)
