import pytest

from tests import factories


@pytest.fixture
def open_call(db):
    return factories.call()


@pytest.fixture
def make_nomination(db, reviewer, approver, open_call):
    """Build a nomination in a given state through the real services and flow."""

    def make(state="awaiting_consent", call=None, **data):
        return factories.nomination_in_state(
            state, call=call or open_call, reviewer=reviewer, approver=approver, **data
        )

    return make
