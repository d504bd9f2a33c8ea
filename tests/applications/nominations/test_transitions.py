"""Every nomination service in every state: the allowed step happens, any other
is refused with a message a person can act on, and nothing changes."""

import pytest
from django.db import transaction

from applications.choices import NominationStatus
from applications.exceptions import DomainError
from applications.models import Nomination
from applications.nominations import services as nominations

pytestmark = pytest.mark.django_db

STATES = [
    "awaiting_consent",
    "declined",
    "submitted",
    "reviewed",
    "approved",
    "rejected",
    "onboarded",
    "withdrawn",
]


def _actions(reviewer, approver2):
    return {
        "accept": (
            lambda n: nominations.nomination_consent(nomination=n, accept=True),
            {"awaiting_consent": NominationStatus.SUBMITTED},
        ),
        "decline": (
            lambda n: nominations.nomination_consent(nomination=n, accept=False),
            {"awaiting_consent": NominationStatus.DECLINED},
        ),
        "screen": (
            lambda n: nominations.nomination_screen(
                nomination=n, by=reviewer, recommendation="approve"
            ),
            {"submitted": NominationStatus.REVIEWED},
        ),
        "approve": (
            lambda n: nominations.nomination_decide(nomination=n, by=approver2, approve=True),
            {"reviewed": NominationStatus.APPROVED},
        ),
        "reject": (
            lambda n: nominations.nomination_decide(
                nomination=n, by=approver2, approve=False, reason="No."
            ),
            {"reviewed": NominationStatus.REJECTED},
        ),
        "onboard": (
            lambda n: nominations.nomination_onboard(nomination=n, by=reviewer),
            {"approved": NominationStatus.ONBOARDED},
        ),
        "withdraw": (
            lambda n: nominations.nomination_withdraw(nomination=n),
            {
                "awaiting_consent": NominationStatus.WITHDRAWN,
                "submitted": NominationStatus.WITHDRAWN,
                "reviewed": NominationStatus.WITHDRAWN,
            },
        ),
    }


class _Undo(Exception):
    """Rolls back an allowed step, so the next action starts from the same state."""


@pytest.mark.parametrize("state", STATES)
def test_transition_matrix(state, make_nomination, reviewer, approver2):
    nomination = make_nomination(state)
    assert nomination.status == state
    for action, (run, allowed) in _actions(reviewer, approver2).items():
        fresh = Nomination.objects.get(pk=nomination.pk)
        if state in allowed:
            with pytest.raises(_Undo), transaction.atomic():
                assert run(fresh).status == allowed[state], action
                raise _Undo
        else:
            with pytest.raises(DomainError) as refused:
                run(fresh)
            assert str(refused.value).strip(), action
        assert Nomination.objects.get(pk=nomination.pk).status == state, action


def test_status_cannot_be_set_by_hand(make_nomination):
    from django.core.exceptions import FieldError

    nomination = make_nomination()
    with pytest.raises((AttributeError, FieldError)):
        nomination.status = NominationStatus.APPROVED
