"""How the reviewer's inbox pages scale: 100 vs 10,000 open letter tasks.

Seeds a throwaway SQLite database (plus 50,000 archived tasks), renders the
viewflow queue and inbox and the staff letter list for a logged-in reviewer
through Django's test client, 20 times each at both sizes, and prints the
median times and query counts. Last line:

    inbox_ratio=<time at 10000 / time at 100> queries_100=<n> queries_10000=<n>

Run: .venv/bin/python bench/inbox.py   (about a minute; the database's folder is
removed at the end)
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
RUNS = 20


def measure(client) -> tuple[float, dict]:
    medians, queries = {}, {}
    for name, url in PAGES.items():
        times = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        medians[name] = statistics.median(times)
        queries[name] = len(captured)
    return sum(medians.values()), {"medians": medians, "queries": queries}


def main() -> None:
    try:
        run()
    finally:
        connection.close()
        shutil.rmtree(WORKDIR, ignore_errors=True)


def run() -> None:
    call_command("migrate", verbosity=0)
    reviewer = User.objects.create_user("bench-reviewer", password="x")
    reviewer.groups.add(Group.objects.get(name="Secretariat"))
    client = Client()
    client.force_login(reviewer)

    seed(50_000, status="DONE", prefix="archived")
    results = {}
    for size in (100, 10_000):
        already = Task.objects.filter(status__in=["NEW", "ASSIGNED"]).count() // 2
        missing = size - already
        seed(missing // 2 + missing % 2, status="NEW", prefix=f"queue{size}")
        seed(missing // 2, status="ASSIGNED", owner=reviewer, prefix=f"inbox{size}")
        client.get(PAGES["queue"])  # warm caches
        total, detail = measure(client)
        results[size] = (total, detail)
        pages = ", ".join(
            f"{name} {detail['medians'][name] * 1000:.1f} ms/{detail['queries'][name]} q"
            for name in PAGES
        )
        print(f"{size} open tasks: {pages}")

    ratio = results[10_000][0] / results[100][0]
    queries_100 = max(results[100][1]["queries"].values())
    queries_10000 = max(results[10_000][1]["queries"].values())
    print(f"inbox_ratio={ratio:.2f} queries_100={queries_100} queries_10000={queries_10000}")


if __name__ == "__main__":
    main()
