"""What just happened in the domain, announced to whoever listens.

A transition service ends with one explicit line, e.g.::

    events.emit("letter_submitted", letter, log=log)

The domain does not know who listens. The apps above it subscribe once, in
their ``AppConfig.ready()``, each through one table that a grep for the event
name finds:

- ``notifications.services.EVENTS``: who is emailed about each event;
- ``review.process.STEPS``: which viewflow step an applicant-side event moves.

Subscribers run at once, in the order they subscribed (``INSTALLED_APPS``:
review, then notifications), inside the caller's transaction: an exception in
one of them rolls the whole step back, as a failing call would. No Django
signals: those run in an order nobody reads, and are easy to connect twice.
"""

from collections.abc import Callable

Subscriber = Callable[..., object]

_subscribers: list[Subscriber] = []


def subscribe(handler: Subscriber) -> None:
    """Call ``handler(name, obj, **fields)`` for every event from now on (once,
    however often it subscribes)."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def emit(name: str, obj, **fields) -> list:
    """Tell every subscriber that ``name`` happened to ``obj``.

    ``fields`` carry what the listeners may need: ``log`` (the audit row of the
    transition), ``by`` (who acted), ``nonce`` (makes a repeated announcement
    unique, e.g. a reminder per day), ``member`` (the one member concerned).
    Returns what the subscribers returned, concatenated (notifications: the
    emails it queued; review: nothing), so that a caller can count the emails
    an announcement made.
    """
    results: list = []
    for handler in list(_subscribers):
        results.extend(handler(name, obj, **fields) or ())
    return results
