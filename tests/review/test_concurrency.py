"""Two approvers deciding the same letter at the same moment, on two real
PostgreSQL connections: exactly one decision, the other told who decided."""

import threading

import pytest
from django.db import connection, connections

from applications.exceptions import AlreadyDecided
from applications.letters import services
from applications.models import Letter
from notifications.models import OutboxMessage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks; .ci/run runs it with DATABASE_URL=postgres://...",
    ),
]


def test_two_simultaneous_decisions_make_exactly_one(make_letter, approver, approver2):
    letter = make_letter("reviewed")
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, approve):
        try:
            barrier.wait(timeout=10)
            services.letter_decide(
                letter=letter, by=user, approve=approve, reason="" if approve else "No encaja."
            )
            outcomes[user.username] = "decided"
        except AlreadyDecided as error:
            outcomes[user.username] = str(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(approver, True)),
        threading.Thread(target=decide, args=(approver2, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approver", "approver2"]
    winners = [name for name, outcome in outcomes.items() if outcome == "decided"]
    assert len(winners) == 1
    loser = "approver2" if winners == ["approver"] else "approver"
    letter.refresh_from_db()
    assert letter.decided_by.username == winners[0]
    assert "already decided by" in outcomes[loser]
    decision_mail = OutboxMessage.objects.filter(
        object_id=letter.pk, event__in=["letter_approved", "letter_rejected"], audience="applicant"
    )
    assert decision_mail.count() == 1
    assert Letter.objects.get(pk=letter.pk).status in ("approved", "rejected")
