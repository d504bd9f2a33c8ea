"""The domain's events and their two tables: every event the domain emits has its
row in notifications' EVENTS, and every step in review's STEPS is emitted.

The names are read from the code with ``ast``, as a reader would grep them: a
new ``events.emit("...")`` without its row in EVENTS fails here, and so does a
STEPS row whose event nobody emits any more.
"""

import ast
from pathlib import Path

import pytest

from applications import events
from notifications import services as notifications
from review import process

DOMAIN = Path(__file__).resolve().parents[1] / "applications"


def _emit_calls(tree: ast.AST):
    """(call, enclosing function) for every ``events.emit(...)`` or ``emit(...)``."""
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            if name == "emit" and node.args:
                yield node, function


def _names(argument: ast.expr, function: ast.AST) -> set[str]:
    """The event names an emit's first argument can hold: a string, or a variable
    given string values in the same function (``event = "letter_approved"``)."""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return {argument.value}
    if isinstance(argument, ast.Name):
        values = {
            node.value.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == argument.id for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        }
        if values:
            return values
    raise AssertionError(
        f"line {argument.lineno}: an event name must be a string or a variable set to "
        "strings in the same function, so that a grep finds it"
    )


def emitted() -> dict[str, list[str]]:
    """Event name -> the places (file:line) that emit it, over the whole domain."""
    found: dict[str, list[str]] = {}
    for path in sorted(DOMAIN.rglob("*.py")):
        if "migrations" in path.parts or path.name == "events.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for call, function in _emit_calls(tree):
            for name in _names(call.args[0], function):
                found.setdefault(name, []).append(
                    f"{path.relative_to(DOMAIN.parent)}:{call.lineno}"
                )
    return found


def test_the_domain_emits_the_events_of_each_transition():
    names = emitted()
    # A sample a reader can check against the services: one per kind of step.
    for name in (
        "letter_submitted",
        "letter_approved",
        "letter_rejected",
        "letter_withdrawn",
        "letter_anonymised",
        "call_opened",
        "nomination_accepted",
        "nomination_withdrawn",
    ):
        assert name in names, name
    assert len(names) >= 20


def test_every_emitted_event_has_its_row_in_the_notification_table():
    missing = {name: where for name, where in emitted().items() if name not in notifications.EVENTS}
    assert not missing, f"emitted but not in notifications.services.EVENTS: {missing}"


def test_every_review_step_is_moved_by_an_event_the_domain_emits():
    names = emitted()
    never = sorted(set(process.STEPS) - set(names))
    assert not never, f"review.process.STEPS rows whose event is never emitted: {never}"


def test_both_apps_listen_once():
    subscribers = events._subscribers
    assert subscribers.count(process.on_event) == 1
    assert subscribers.count(notifications.on_event) == 1
    # review moves the process before notifications writes the emails.
    assert subscribers.index(process.on_event) < subscribers.index(notifications.on_event)


@pytest.mark.django_db
def test_a_failing_subscriber_rolls_the_step_back(monkeypatch):
    from applications.letters import services
    from applications.models import Letter
    from notifications.models import OutboxMessage
    from tests.factories import LetterDataFactory

    def broken(name, obj, **fields):
        raise RuntimeError("the listener failed")

    monkeypatch.setattr(events, "_subscribers", [*events._subscribers, broken])
    with pytest.raises(RuntimeError):
        services.letter_submit(data=LetterDataFactory(contact_email="kept@org.example.org"))
    assert not Letter.objects.filter(contact_email="kept@org.example.org").exists()
    assert not OutboxMessage.objects.filter(recipient="kept@org.example.org").exists()
