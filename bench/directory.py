"""Throughput of the public member directory with 1,000 members.

Anonymous visitors are served from a per-process cache renewed when any
organisation changes; queries= below counts a page rendered afresh.

Seeds a throwaway SQLite database with 1,000 listed members, serves the site
with gunicorn (2 workers) on 127.0.0.1, sends a fixed number of requests from
a pool of client threads to the directory's first pages and filters, and
prints as its last line:

    directory_rps=<requests per second> p99_ms=<x> queries=<n>

where queries is the number of SQL queries of one directory page (the same
for page 1 and page 20). Run: .venv/bin/python bench/directory.py
"""

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="bench-directory-")
ENV = {
    **os.environ,
    "DATABASE_URL": f"sqlite:///{WORKDIR}/bench.sqlite3",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.choices import Constituency, PriorityArea  # noqa: E402
from applications.models import Organisation  # noqa: E402

MEMBERS = 1_000
REQUESTS = 4_000
CLIENTS = 8
COUNTRIES = ["MX", "AR", "CO", "KE", "SN", "FR", "ES", "IN", "AU", "US", "BR", "ZA"]
PATHS = [
    "/members/",
    "/members/?page=2",
    "/members/?constituency=youth",
    "/members/?region=africa",
    "/members/?q=red",
]


def seed() -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # as on each release
    constituencies = Constituency.values
    areas = PriorityArea.values
    for i in range(MEMBERS):
        Organisation(
            name=f"Red de Cuidados {i:04d}",
            constituency=constituencies[i % len(constituencies)],
            country=COUNTRIES[i % len(COUNTRIES)],
            contact_email=f"m{i}@example.org",
            language="es",
            priority_areas=[areas[i % len(areas)]],
            public_listing=True,
            member_since=timezone.localdate(),
        ).save()


def query_counts() -> tuple[int, int, int]:
    """Queries of a page rendered afresh (page 1 and page 20), and of a cached page."""
    client = Client()
    counts = []
    for path in ("/members/", "/members/?page=20", "/members/?page=20"):
        if len(counts) < 2:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts.append(len(captured))
    return counts[0], counts[1], counts[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def load(port: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = REQUESTS // CLIENTS

    def worker(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for i in range(per_client):
            path = PATHS[(offset + i) % len(PATHS)]
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Language": "es"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies, errors


def main() -> None:
    seed()
    first, later, cached = query_counts()
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    try:
        wait_for(port)
        load(port)  # warm both workers
        elapsed, latencies, errors = load(port)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(WORKDIR, ignore_errors=True)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"{len(latencies)} requests, {CLIENTS} clients, errors={errors}, "
        f"median {statistics.median(latencies) * 1000:.1f} ms, "
        f"queries page 1={first} page 20={later} cached={cached}"
    )
    rps = len(latencies) / elapsed
    print(f"directory_rps={rps:.0f} p99_ms={p99:.1f} queries={max(first, later)}")


if __name__ == "__main__":
    main()
