"""Redis when present (issue 16, item 10): with ``REDIS_URL`` the page cache, the
shared stamps, the rate-limit counters and the login lockout live in Redis,
through Django's own ``RedisCache``. These tests run the cache and rate-limit
behaviour against a real Redis: the one on 127.0.0.1:6379 when it answers,
else a ``redis-server`` started for the session (``make test`` installs it).
"""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import time_machine
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.abuse import rate_limit
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NOON = datetime(2026, 3, 2, 12, 4, 30, tzinfo=UTC)
REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    if _answers(url):
        yield url
        return
    server = shutil.which("redis-server")
    if not server:
        pytest.skip(f"no Redis at {url} and no redis-server to start (apt install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if _answers(url):
            break
        time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def on_redis(settings, redis_url):
    """The settings ``REDIS_URL`` gives, under a key prefix of this test's own."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        alias: {"BACKEND": REDIS_BACKEND, "LOCATION": redis_url, "KEY_PREFIX": f"{prefix}:{alias}"}
        for alias in ("default", "ratelimit", "shared")
    }
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    settings.AXES_CACHE = "ratelimit"
    AxesProxyHandler.get_implementation(force=True)
    server = redis.Redis.from_url(redis_url)

    def keys(alias: str) -> list[str]:
        return [k.decode() for k in server.keys(f"{prefix}:{alias}:*")]

    yield keys
    for key in server.keys(f"{prefix}:*"):
        server.delete(key)
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    AxesProxyHandler.get_implementation(force=True)


def test_redis_url_moves_every_cache_and_counter_to_redis():
    """What the settings module makes of the environment, read in a fresh process."""
    code = (
        "import config.settings as s;"
        "print(sorted({c['BACKEND'] for c in s.CACHES.values()}),"
        " getattr(s, 'AXES_HANDLER', 'database'))"
    )
    env = {**os.environ, "REDIS_URL": "redis://redis.example:6379/3"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with_redis = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert with_redis.strip() == f"['{REDIS_BACKEND}'] axes.handlers.cache.AxesCacheHandler"
    del env["REDIS_URL"]
    without = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert REDIS_BACKEND not in without and "DatabaseCache" in without


@rate_limit("redis_burst", rate="5/h")
def _form(request):
    return HttpResponse("sent")


@pytest.mark.django_db(transaction=True)
def test_twelve_simultaneous_posts_for_a_limit_of_five_let_exactly_five_through(on_redis):
    start = threading.Barrier(12)
    statuses = []

    def post():
        request = RequestFactory().post("/", {"x": "1"}, REMOTE_ADDR="198.51.100.7")
        start.wait()
        statuses.append(_form(request).status_code)

    with time_machine.travel(NOON, tick=False):
        threads = [threading.Thread(target=post) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    print(f"\nRedis: 12 simultaneous POSTs, limit 5: {statuses.count(200)} let through")
    assert sorted(statuses) == [200] * 5 + [429] * 7
    assert len(on_redis("ratelimit")) == 1  # one counter, in Redis


def test_a_public_form_refuses_posts_past_the_limit_with_counters_in_redis(
    client, settings, on_redis
):
    settings.RATE_LIMIT_PUBLIC_FORMS = "2/h"
    url = reverse("applications:status_link_request")
    with time_machine.travel(NOON, tick=False):
        for _ in range(2):
            assert client.post(url, {"email": "x@example.org"}).status_code == 302
        refused = client.post(url, {"email": "x@example.org"})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        other = Client(REMOTE_ADDR="203.0.113.9")
        assert other.post(url, {"email": "x@example.org"}).status_code == 302
    assert len(on_redis("ratelimit")) == 2  # one counter per visitor


def test_the_login_lockout_counts_in_redis(settings, on_redis):
    User.objects.create_user(username="sofia", password="right-password-1", is_staff=True)
    settings.AXES_FAILURE_LIMIT = 3

    def log_in(client, password):
        data = {"username": "sofia", "password": password}
        return client.post("/accounts/login/", data).status_code

    statuses = [log_in(Client(REMOTE_ADDR=f"2001:db8:1:2::{n}"), "wrong") for n in range(1, 5)]
    assert statuses == [200, 200, 429, 429]
    assert log_in(Client(REMOTE_ADDR="2001:db8:1:2::99"), "right-password-1") == 429
    assert log_in(Client(REMOTE_ADDR="2001:db8:1:3::1"), "right-password-1") == 302
    assert not AccessAttempt.objects.exists()  # nothing in the database table
    assert on_redis("ratelimit")


def test_the_directory_is_cached_in_redis_and_renewed_after_a_change(
    client, on_redis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        org = factories.member(
            name="Primera", public_listing=True, member_since=timezone.localdate()
        )
    url = reverse("directory")
    assert "Primera" in client.get(url).content.decode()
    assert any("directory:" in key for key in on_redis("default"))
    assert on_redis("shared")  # the stamp every process reads
    with django_capture_on_commit_callbacks(execute=True):
        org.name = "Renombrada"
        org.save()
    html = client.get(url).content.decode()
    assert "Renombrada" in html and "Primera" not in html


def test_with_redis_down_applicants_get_through_and_pages_render(client, settings, caplog):
    settings.CACHES = {
        alias: {"BACKEND": REDIS_BACKEND, "LOCATION": "redis://127.0.0.1:1/0"}
        for alias in ("default", "ratelimit", "shared")
    }
    settings.RATE_LIMIT_PUBLIC_FORMS = "1/h"
    url = reverse("applications:status_link_request")
    for _ in range(2):
        assert client.post(url, {"email": "x@example.org"}).status_code == 302
    assert "Rate-limit cache unreachable" in caplog.text
    assert client.get(reverse("directory")).status_code == 200
    assert client.get(reverse("applications:letter_create")).status_code == 200
