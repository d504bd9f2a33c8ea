"""OUTBOX_MAX_PER_SECOND: the worker spaces its sends to the ESP's quota.

No test sleeps: the limiter takes its clock and its sleep as arguments, and the
tests give it a fake clock that a fake sleep moves forward.
"""

import pytest

from notifications import outbox
from notifications.models import OutboxMessage, OutboxStatus
from notifications.outbox import RateLimiter, send_outbox, send_outbox_message

pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_limiter_spaces_back_to_back_sends_by_one_over_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock, sleep=clock.sleep)
    waits = [round(limiter.wait(), 6) for _ in range(4)]
    assert waits == [0, 0.2, 0.2, 0.2]
    assert clock.sleeps == [0.2, 0.2, 0.2]
    assert clock.now == pytest.approx(1000.6)


def test_limiter_counts_time_spent_between_sends_and_gives_no_burst_after_idling():
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock, sleep=clock.sleep)
    assert limiter.wait() == 0
    clock.now += 0.3  # the send itself took 0.3 s
    assert limiter.wait() == pytest.approx(0.2)
    clock.now += 60  # idle for a minute: no credit saved up for a burst
    assert limiter.wait() == 0
    assert limiter.wait() == pytest.approx(0.5)


def test_limiter_books_distinct_slots_for_concurrent_callers():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    # Three threads of one process ask at the same instant: 0, 0.1 and 0.2 s away.
    assert [round(limiter.reserve(), 6) for _ in range(3)] == [0, 0.1, 0.2]


def test_no_cap_by_default(settings):
    assert settings.OUTBOX_MAX_PER_SECOND == 0
    assert outbox.rate_limiter() is None


@pytest.mark.parametrize("task", ["send_outbox", "send_outbox_message"])
def test_worker_waits_before_each_send_at_the_configured_rate(
    task, settings, make_letter, aws, monkeypatch
):
    settings.OUTBOX_MAX_PER_SECOND = 4
    clock = FakeClock()
    sent_before_each_sleep = []

    def sleep(seconds):
        sent_before_each_sleep.append(len(aws.sent()))
        clock.sleep(seconds)

    monkeypatch.setattr(outbox, "_limiter", RateLimiter(4, clock=clock, sleep=sleep))
    for n in range(3):
        make_letter("submitted", contact_email=f"paced{n}@org.example.org")
    rows = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    assert len(rows) == 6  # the applicant and the secretariat's reviewer, per letter

    if task == "send_outbox":  # one task sends them all
        assert send_outbox.call() == {"sent": 6}
        assert send_outbox.call() == {}  # nothing left: no slot taken
    else:  # a task per row, as retries are sent
        assert [send_outbox_message.call(pk) for pk in rows] == ["sent"] * 6
        # A row already sent is skipped without taking a slot.
        assert send_outbox_message.call(rows[0]) == "skipped"

    assert clock.sleeps == [0.25] * 5
    # Each wait came before the next send, never after it.
    assert sent_before_each_sleep == [1, 2, 3, 4, 5]
    assert len(aws.sent()) == 6
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


def test_changing_the_setting_builds_a_new_limiter(settings):
    settings.OUTBOX_MAX_PER_SECOND = 14
    first = outbox.rate_limiter()
    assert first.interval == pytest.approx(1 / 14)
    assert outbox.rate_limiter() is first
    settings.OUTBOX_MAX_PER_SECOND = 0.5
    assert outbox.rate_limiter().interval == pytest.approx(2.0)
