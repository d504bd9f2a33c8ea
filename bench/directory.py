"""Throughput of the public member directory with 1,000 members, and how a page
rendered afresh grows from 1,000 to 10,000 members.

Anonymous visitors are served from a per-process cache renewed when any
organisation changes; queries= below counts a page rendered afresh.

Seeds a throwaway SQLite database with 1,000 listed members, serves the site
with gunicorn (2 workers) on 127.0.0.1, sends a fixed number of requests from
a pool of client threads to the directory's first pages and filters. Then it
times each of those pages rendered afresh (the page cache cleared before each
request, in this process, each path's best of 20; the counts and countries stay
kept under the stamp, as in a web process) at 1,000 members and, in a copy of the
database with 9,000 more, at 10,000, the two taking turns, and prints as its last
line:

    directory_rps=<requests per second> p99_ms=<x> queries=<n> directory_ratio=<r>

where queries is the number of SQL queries of a directory page rendered afresh
(the most of page 1 and page 20: the first page after a change also reads the
counts and countries, which later pages of the same stamp reuse) and
directory_ratio the time per fresh page at 10,000 members over the time at
1,000 (same run; target at most 1.3). The search page's queries at both sizes
are printed on the line before, to show they stay flat. Run: .venv/bin/python bench/directory.py
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
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.choices import Constituency, PriorityArea  # noqa: E402
from applications.members import directory_cache  # noqa: E402
from applications.models import Organisation  # noqa: E402

MEMBERS = 1_000
MANY_MEMBERS = 10_000
FRESH_ROUNDS = 20
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


def seed(start: int = 0, stop: int = MEMBERS) -> None:
    if not start:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)  # as on each release
    constituencies = Constituency.values
    areas = PriorityArea.values
    with transaction.atomic(), directory_cache.batch():
        for i in range(start, stop):
            Organisation(
                name=f"Red de Cuidados {i:05d}",
                constituency=constituencies[i % len(constituencies)],
                country=COUNTRIES[i % len(COUNTRIES)],
                contact_email=f"m{i}@example.org",
                language="es",
                priority_areas=[areas[i % len(areas)]],
                public_listing=True,
                member_since=timezone.localdate(),
            ).save()


def use(database: str) -> None:
    """Point this process's connection at another of the bench's SQLite files."""
    connection.close()
    connection.settings_dict["NAME"] = database


def fresh_pages(databases: dict[int, str]) -> dict[int, tuple[float, int]]:
    """For each roll size: seconds per directory page rendered afresh (each path's
    best of FRESH_ROUNDS, averaged over the paths), and the queries of the search
    page. The sizes take turns within each round, so that the other processes of a
    shared machine weigh on both alike."""
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    best = {size: dict.fromkeys(PATHS, float("inf")) for size in databases}
    for _ in range(FRESH_ROUNDS + 1):  # the first round warms templates and connections
        for size, database in databases.items():
            use(database)
            # A new connection starts with an empty SQLite page cache, which a web
            # process's long-lived one (CONN_MAX_AGE) has long filled: one untimed
            # request fills it.
            assert client.get(PATHS[-1]).status_code == 200
            for path in PATHS:
                cache.clear()
                start = time.perf_counter()
                assert client.get(path).status_code == 200
                best[size][path] = min(best[size][path], time.perf_counter() - start)
    found = {}
    for size, database in databases.items():
        use(database)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/members/?q=red").status_code == 200
        found[size] = (statistics.mean(best[size].values()), len(captured))
    return found


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
    try:
        few = connection.settings_dict["NAME"]
        many = f"{WORKDIR}/bench-{MANY_MEMBERS}.sqlite3"
        with connection.cursor() as cursor:  # a consistent copy, write-ahead log included
            cursor.execute("VACUUM INTO %s", [many])
        use(many)
        seed(MEMBERS, MANY_MEMBERS)
        found = fresh_pages({MEMBERS: few, MANY_MEMBERS: many})
        (few_seconds, few_search_queries), (many_seconds, many_search_queries) = (
            found[MEMBERS],
            found[MANY_MEMBERS],
        )
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"{len(latencies)} requests, {CLIENTS} clients, errors={errors}, "
        f"median {statistics.median(latencies) * 1000:.1f} ms, "
        f"queries page 1={first} page 20={later} cached={cached}"
    )
    print(
        f"fresh page {few_seconds * 1000:.1f} ms at {MEMBERS:,} members, "
        f"{many_seconds * 1000:.1f} ms at {MANY_MEMBERS:,}; search page queries "
        f"{few_search_queries} at {MEMBERS:,}, {many_search_queries} at {MANY_MEMBERS:,}"
    )
    rps = len(latencies) / elapsed
    ratio = many_seconds / few_seconds
    print(
        f"directory_rps={rps:.0f} p99_ms={p99:.1f} queries={max(first, later)} "
        f"directory_ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
