"""The staff password reset: the same answer, the same work and the same time for a
known and an unknown address; the email goes through the outbox and survives an
ESP outage (notifications/passwords.py, config/passwords.py)."""

import re
import statistics
import time
from datetime import timedelta

import pytest
import time_machine
from botocore.config import Config
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage, OutboxStatus
from tests.conftest import subject_of, text_of

pytestmark = pytest.mark.django_db

URL = reverse("password_reset")


@pytest.fixture
def staff_member(reviewer):
    return reviewer  # reviewer@alliance.test, password pw-reviewer


@pytest.fixture
def drain(run_worker, django_capture_on_commit_callbacks):
    """Run the worker: the reset task queues its email, whose send task runs next."""

    def run():
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                run_worker()

    return run


def test_a_known_address_gets_its_reset_link_through_the_outbox(client, staff_member, drain, aws):
    response = client.post(URL, {"email": "Reviewer@Alliance.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    # Nothing was sent or even written inside the request.
    assert not OutboxMessage.objects.exists() and aws.sent() == []
    drain()
    row = OutboxMessage.objects.get(event="password_reset")
    assert (row.recipient, row.status) == ("reviewer@alliance.test", OutboxStatus.SENT)
    (sent,) = aws.sent()
    assert subject_of(sent) == "Reset your password"
    link = next(line for line in text_of(sent).splitlines() if "/accounts/reset/" in line)
    page = Client().get(link.replace("http://testserver", ""), follow=True)
    assert page.status_code == 200
    assert "new_password1" in page.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, staff_member, drain):
    response = client.post(URL, {"email": "nobody@alliance.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    drain()
    assert not OutboxMessage.objects.exists()


def test_the_email_is_in_the_language_of_the_page(client, staff_member, drain, aws):
    client.post(URL, {"email": "reviewer@alliance.test"}, HTTP_ACCEPT_LANGUAGE="fr")
    drain()
    (sent,) = aws.sent()
    assert subject_of(sent) == "Réinitialisez votre mot de passe"


def _post(email) -> float:
    client = Client()
    start = time.perf_counter()
    response = client.post(URL, {"email": email})
    elapsed = time.perf_counter() - start
    assert response.status_code == 302
    return elapsed


def _statements(captured):
    """The SQL run, with the values left out: the same work whatever the address."""
    values = re.compile(r"'(?:[^']|'')*'|\"s\d+_x\d+\"|\b\d+(?:\.\d+)?\b")
    return [values.sub("?", query["sql"]) for query in captured.captured_queries]


def _medians(rounds=10, batch=3):
    """Median time of a POST for each address, interleaved round by round so that a
    busy moment of the shared machine hits both; each round times a few POSTs."""
    times = {"known": [], "unknown": []}
    for _ in range(rounds):
        for name, email in (
            ("known", "reviewer@alliance.test"),
            ("unknown", "nobody@alliance.test"),
        ):
            times[name].append(sum(_post(email) for _ in range(batch)) / batch)
    return statistics.median(times["known"]) * 1000, statistics.median(times["unknown"]) * 1000


def test_known_and_unknown_addresses_cost_the_same(staff_member, request):
    """The same SQL, and the same time: the median of 10 within 20% (it was 240 ms
    against 23 ms when the email was sent inside the request). The machine is shared,
    and another process can only widen a gap, never close one, so the timing gets
    three tries: sending inside the request fails all three by a factor of ten."""
    with CaptureQueriesContext(connection) as known:
        _post("reviewer@alliance.test")
    with CaptureQueriesContext(connection) as unknown:
        _post("nobody@alliance.test")
    queries = len(known)
    assert _statements(known) == _statements(unknown) and queries > 0
    for _ in range(3):  # warm-up
        _post("reviewer@alliance.test"), _post("nobody@alliance.test")
    gaps = []
    for _ in range(3):
        known_ms, unknown_ms = _medians()
        gaps.append(abs(known_ms - unknown_ms) / max(known_ms, unknown_ms))
        print(
            f"\npassword_reset: known_ms={known_ms:.1f} unknown_ms={unknown_ms:.1f} "
            f"gap={gaps[-1]:.2f} queries={queries}"
        )
        if gaps[-1] <= 0.20:
            break
    assert min(gaps) <= 0.20


def test_the_reset_email_survives_an_esp_outage(client, staff_member, settings, drain, aws):
    good = settings.ANYMAIL
    settings.ANYMAIL = {
        **good,
        "AMAZON_SES_CLIENT_PARAMS": {
            **good["AMAZON_SES_CLIENT_PARAMS"],
            "endpoint_url": "http://127.0.0.1:9",
            "config": Config(retries={"max_attempts": 1}, connect_timeout=1),
        },
    }
    assert client.post(URL, {"email": "reviewer@alliance.test"}).status_code == 302
    drain()
    row = OutboxMessage.objects.get(event="password_reset")
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert aws.sent() == []
    settings.ANYMAIL = good
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS + 5)
    ):
        drain()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert [m["To"] for m in aws.sent()] == ["reviewer@alliance.test"]


def test_an_inactive_account_gets_nothing(client, staff_member, drain):
    User.objects.filter(pk=staff_member.pk).update(is_active=False)
    client.post(URL, {"email": "reviewer@alliance.test"})
    drain()
    assert not OutboxMessage.objects.exists()
