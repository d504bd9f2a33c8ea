"""How the reviewer's inbox pages scale: 100 vs 10,000 open letter tasks.

Seeds two throwaway SQLite databases, each with 50,000 archived tasks, one with
100 open letter tasks and one with 10,000 (half free, half the reviewer's), and
renders the viewflow queue and inbox and the staff letter list for a logged-in
reviewer through Django's test client. The rounds alternate between the two
databases (each page 3 times a round after one untimed request, 15 rounds), so
that other load on the shared machine weighs on both sizes alike; the ratio is
the median of the rounds' ratios. Prints the median times and query counts;
last line:

    inbox_ratio=<time at 10000 / time at 100> queries_100=<n> queries_10000=<n>

Run: .venv/bin/python bench/inbox.py   (about a minute; BENCH_ROUNDS; the
databases' folder is removed at the end)
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="bench-inbox-")
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["STAFF_REQUIRE_2FA"] = "false"  # staff pages measured, not the second factor
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from viewflow.workflow.models import Task  # noqa: E402

from bench.seeding import seed  # noqa: E402

PAGES = {
    "queue": "/review/letter/queue/",
    "inbox": "/review/letter/inbox/",
    "letters": "/staff/letters/",
}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 15))
PER_ROUND = 3
SIZES = (100, 10_000)
DATABASES = {size: f"{WORKDIR}/inbox-{size}.sqlite3" for size in SIZES}


def use(size: int) -> None:
    """Point the connection at the database with ``size`` open tasks."""
    connection.close()
    connection.settings_dict["NAME"] = DATABASES[size]


def measure(client) -> tuple[dict, dict]:
    """Each page's median time over PER_ROUND requests (after an untimed one), and
    its query count."""
    medians, queries = {}, {}
    for name, url in PAGES.items():
        client.get(url)
        times = []
        for _ in range(PER_ROUND):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        medians[name] = statistics.median(times)
        queries[name] = len(captured)
    return medians, queries


def main() -> None:
    try:
        run()
    finally:
        connection.close()
        shutil.rmtree(WORKDIR, ignore_errors=True)


def run() -> None:
    use(SIZES[0])
    call_command("migrate", verbosity=0)
    reviewer = User.objects.create_user("bench-reviewer", password="x")
    reviewer.groups.add(Group.objects.get(name="Secretariat"))
    seed(50_000, status="DONE", prefix="archived")
    connection.close()
    shutil.copyfile(DATABASES[SIZES[0]], DATABASES[SIZES[1]])
    for size in SIZES:
        use(size)
        seed(size // 2, status="NEW", prefix=f"queue{size}")
        seed(size // 2, status="ASSIGNED", owner=reviewer, prefix=f"inbox{size}")
        assert Task.objects.filter(status__in=["NEW", "ASSIGNED"]).count() == size

    client = Client()
    times = {(size, name): [] for size in SIZES for name in PAGES}
    queries, ratios = {}, []
    for round_number in range(ROUNDS):
        order = SIZES if round_number % 2 == 0 else tuple(reversed(SIZES))
        totals = {}
        for size in order:
            use(size)
            client.force_login(reviewer)
            medians, queries[size] = measure(client)
            for name, seconds in medians.items():
                times[size, name].append(seconds)
            totals[size] = sum(medians.values())
        ratios.append(totals[SIZES[1]] / totals[SIZES[0]])
    for size in SIZES:
        pages = ", ".join(
            f"{name} {statistics.median(times[size, name]) * 1000:.1f} ms/{queries[size][name]} q"
            for name in PAGES
        )
        print(f"{size} open tasks: {pages}")
    print(f"ratios by round: {', '.join(f'{r:.2f}' for r in ratios)}")
    queries_100 = max(queries[SIZES[0]].values())
    queries_10000 = max(queries[SIZES[1]].values())
    print(
        f"inbox_ratio={statistics.median(ratios):.2f} "
        f"queries_100={queries_100} queries_10000={queries_10000}"
    )


if __name__ == "__main__":
    main()
