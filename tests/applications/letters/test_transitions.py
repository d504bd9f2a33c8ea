"""Every allowed and forbidden transition of a letter, through the services."""

import pytest
from django.contrib.auth.models import Group
from django_fsm_log.models import StateLog

from applications.choices import Recommendation
from applications.exceptions import FourEyesViolation, NotPermitted, TransitionNotAllowed
from applications.letters import services
from applications.models import Letter

pytestmark = pytest.mark.django_db

STATES = [
    "submitted",
    "changes_requested",
    "reviewed",
    "approved",
    "rejected",
    "onboarded",
    "withdrawn",
]


def _screen(letter, user):
    return services.letter_screen(letter=letter, by=user, recommendation=Recommendation.APPROVE)


def _changes(letter, user):
    return services.letter_request_changes(letter=letter, by=user, message="Más detalle.")


def _approve(letter, user):
    return services.letter_decide(letter=letter, by=user, approve=True)


def _reject(letter, user):
    return services.letter_decide(letter=letter, by=user, approve=False, reason="Fuera de alcance.")


def _onboard(letter, user):
    return services.letter_onboard(letter=letter, by=user)


def _withdraw(letter, user):
    return services.letter_withdraw(letter=letter)


def _resubmit(letter, user):
    data = {field: getattr(letter, field) for field in services.LETTER_CONTENT_FIELDS}
    return services.letter_resubmit(letter=letter, data=data)


# action -> (states it is allowed from, the state it leads to, who performs it)
ACTIONS = {
    "screen": (_screen, {"submitted"}, "reviewed", "reviewer"),
    "request_changes": (_changes, {"submitted"}, "changes_requested", "reviewer"),
    "approve": (_approve, {"reviewed"}, "approved", "approver2"),
    "reject": (_reject, {"reviewed"}, "rejected", "approver2"),
    "onboard": (_onboard, {"approved"}, "onboarded", "reviewer"),
    "withdraw": (_withdraw, {"submitted", "changes_requested", "reviewed"}, "withdrawn", None),
    "resubmit": (_resubmit, {"changes_requested"}, "submitted", None),
}

CASES = [(action, state) for action in ACTIONS for state in STATES]


@pytest.mark.parametrize("action,state", CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_transition_matrix(action, state, make_letter, request):
    function, allowed_from, target, actor = ACTIONS[action]
    user = request.getfixturevalue(actor) if actor else None
    letter = make_letter(state)
    logs_before = StateLog.objects.for_(letter).count()
    if state in allowed_from:
        letter = function(letter, user)
        assert Letter.objects.get(pk=letter.pk).status == target
        log = StateLog.objects.for_(letter).latest("pk")
        assert (log.source_state, log.state, log.by) == (state, target, user)
    else:
        with pytest.raises(TransitionNotAllowed):
            function(letter, user)
        assert Letter.objects.get(pk=letter.pk).status == state
        assert StateLog.objects.for_(letter).count() == logs_before


def test_screener_cannot_decide(make_letter, reviewer):
    letter = make_letter("reviewed")
    reviewer.groups.add(Group.objects.get(name="Committee"))
    with pytest.raises(FourEyesViolation):
        services.letter_decide(letter=letter, by=reviewer, approve=True)
    assert Letter.objects.get(pk=letter.pk).status == "reviewed"


def test_reviewer_without_committee_role_cannot_decide(make_letter, reviewer2):
    letter = make_letter("reviewed")
    with pytest.raises(NotPermitted):
        services.letter_decide(letter=letter, by=reviewer2, approve=True)
    assert Letter.objects.get(pk=letter.pk).status == "reviewed"


def test_approver_cannot_screen(make_letter, approver2):
    letter = make_letter("submitted")
    with pytest.raises(NotPermitted):
        _screen(letter, approver2)
    assert Letter.objects.get(pk=letter.pk).status == "submitted"


def test_rejection_needs_a_reason(make_letter, approver2):
    letter = make_letter("reviewed")
    with pytest.raises(TransitionNotAllowed):
        services.letter_decide(letter=letter, by=approver2, approve=False, reason="  ")
    assert Letter.objects.get(pk=letter.pk).status == "reviewed"


def test_second_decision_names_the_first_decider(make_letter, approver, approver2):
    letter = make_letter("approved")
    with pytest.raises(TransitionNotAllowed, match="already decided by Amadou"):
        services.letter_decide(letter=letter, by=approver2, approve=False, reason="No.")
    assert Letter.objects.get(pk=letter.pk).decided_by == approver


def test_status_cannot_be_set_directly(make_letter):
    letter = make_letter("submitted")
    with pytest.raises(AttributeError):
        letter.status = "approved"
