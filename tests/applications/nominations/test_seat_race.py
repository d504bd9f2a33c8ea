"""Two approvers approving the last seat's two candidates at the same moment, on
two real PostgreSQL connections: exactly one approval, the other told why."""

import threading

import pytest
from django.db import connection, connections

from applications.choices import NominationStatus
from applications.exceptions import SeatsFull
from applications.models import Nomination
from applications.nominations import services as nominations
from notifications.models import OutboxMessage
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks; .ci/run runs it with DATABASE_URL=postgres://...",
    ),
]


def test_two_approvals_for_the_last_seat_make_exactly_one(reviewer, approver, approver2):
    from applications.choices import Constituency

    call = factories.call(seats={Constituency.CIVIL_SOCIETY: 1})
    first = factories.nomination_in_state("reviewed", call=call, reviewer=reviewer)
    second = factories.nomination_in_state("reviewed", call=call, reviewer=reviewer)
    barrier = threading.Barrier(2)
    outcomes = {}

    def approve(user, nomination):
        try:
            barrier.wait(timeout=10)
            nominations.nomination_decide(nomination=nomination, by=user, approve=True)
            outcomes[user.username] = "approved"
        except SeatsFull as error:
            outcomes[user.username] = str(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(approver, first)),
        threading.Thread(target=approve, args=(approver2, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approver", "approver2"]
    assert sorted(outcomes.values()).count("approved") == 1
    refused = next(text for text in outcomes.values() if text != "approved")
    assert "The 1 seat of" in refused and "is already filled" in refused
    statuses = sorted(
        Nomination.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == [NominationStatus.APPROVED, NominationStatus.REVIEWED]
    assert (
        OutboxMessage.objects.filter(event="nomination_approved", audience="nominee").count() == 1
    )
