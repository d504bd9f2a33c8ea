"""How the staff workspace's pages scale: 100 vs 10,000 open tasks.

Seeds a throwaway SQLite database (20,000 archived tasks, 100 open ones, and 9,900
more open ones that are closed and reopened by one UPDATE to switch between 100 and
10,000 open tasks), then renders for a logged-in Secretariat reviewer, through
Django's test client and every middleware: My tasks (``/staff/letters/tasks/``, the
inbox and queue in one: the reviewer's own tasks, then the free ones of her groups),
its last page (the queue's far end), a task page (the letter with its screening
form) and the letter list. Each of RUNS rounds takes every page at 100 and then at
10,000 open tasks, so that both sizes see the same load of the shared machine; each
page's fastest round is kept. ``bare`` is a plain Django view that renders the same
25 letters with a minimal template, through the same middleware, in the same rounds:
the floor the real pages are compared with. Last line:

    staff_ratio=<worst growth of a page from 100 to 10000 open tasks (time at 10000 / at 100)>
    staff_queries_max=<n>
    task_page_ms=<fastest at 10000> bare_ms=<fastest> last_page_ratio=<the 400th page's>
    bare_growth=<the bare page's own time at 10000 / at 100: about 1 if the load was even>

Run: .venv/bin/python bench/staff_pages.py   (a minute or two; the database's
folder is removed at the end)
"""

import os
import shutil
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="bench-staff-")
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["STAFF_REQUIRE_2FA"] = "false"  # staff pages measured, not the second factor
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from viewflow.workflow.models import Task  # noqa: E402

from applications.models import Letter  # noqa: E402
from bench.seeding import FLOW, seed  # noqa: E402

RUNS = 15
BARE_TEMPLATE = engines["django"].from_string(
    "<!doctype html><html lang='es'><title>bare</title><table>"
    "{% for letter in letters %}<tr><td>{{ letter.organisation_name }}</td>"
    "<td>{{ letter.get_status_display }}</td><td>{{ letter.submitted_at|date }}</td></tr>"
    "{% endfor %}</table></html>"
)


def bare(request):
    letters = Letter.objects.order_by("-pk")[:25]
    return HttpResponse(BARE_TEMPLATE.render({"letters": letters}, request))


def bench_urlconf():
    """The site's URLs plus /bench/bare/."""
    from config import urls  # noqa: PLC0415 (after django.setup())

    module = types.ModuleType("bench_staff_urls")
    module.urlpatterns = [path("bench/bare/", bare), *urls.urlpatterns]
    module.handler403 = urls.handler403
    return module


def pages(size: int) -> dict:
    last = (size + 24) // 25
    task = Task.objects.filter(status="NEW", flow_task=f"{FLOW}.screen").order_by("pk").first()
    return {
        "tasks": "/staff/letters/tasks/",
        "tasks_last_page": f"/staff/letters/tasks/?page={last}",
        "task_page": f"/staff/letters/tasks/{task.pk}/",
        "letters": "/staff/letters/",
        "bare": "/bench/bare/",
    }


def measure(client, urls: dict, times: dict, queries: dict) -> None:
    """One pass over the pages, each timed once, into ``times`` (lists by page)."""
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        times.setdefault(name, []).append(elapsed)
        queries[name] = max(queries.get(name, 0), len(captured))


def main() -> None:
    try:
        run()
    finally:
        connection.close()
        shutil.rmtree(WORKDIR, ignore_errors=True)


def run() -> None:
    call_command("migrate", verbosity=0)
    settings.ROOT_URLCONF = bench_urlconf()
    clear_url_caches()
    reviewer = User.objects.create_user("bench-reviewer", password="x", first_name="Sofía")
    reviewer.groups.add(Group.objects.get(name="Secretariat"))
    client = Client()
    client.force_login(reviewer)

    seed(20_000, status="DONE", prefix="archived")
    seed(50, status="NEW", prefix="queue100")
    seed(50, status="ASSIGNED", owner=reviewer, prefix="inbox100")
    first_extra = Task.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    seed(4_950, status="NEW", prefix="queue10000")
    seed(4_950, status="ASSIGNED", owner=reviewer, prefix="inbox10000")
    extra = Task.objects.filter(pk__gte=first_extra)

    def open_tasks(size: int) -> None:
        """100 open tasks (the 9,900 added for the larger size closed) or 10,000."""
        if size == 100:
            extra.update(status="DONE")
        else:
            extra.filter(owner__isnull=True).update(status="NEW")
            extra.filter(owner=reviewer).update(status="ASSIGNED")
        assert Task.objects.filter(status__in=["NEW", "ASSIGNED"]).count() == size

    # Both sizes in every round, one after the other, so that they see the same load
    # of the (shared) machine; each page's fastest of RUNS rounds is kept.
    urls = {size: pages(size) for size in (100, 10_000)}
    times = {100: {}, 10_000: {}}
    queries = {100: {}, 10_000: {}}
    for round_ in range(RUNS + 1):
        for size in (100, 10_000):
            open_tasks(size)
            # An untimed pass after each switch: the UPDATE leaves the pages it
            # rewrote out of the caches, which the first reads after it pay for.
            measure(client, urls[size], {}, {})
            if round_:  # round 0 warms the process, not counted
                measure(client, urls[size], times[size], queries[size])
    results = {
        size: {name: (min(times[size][name]), queries[size][name]) for name in urls[size]}
        for size in (100, 10_000)
    }
    for size in (100, 10_000):
        shown = ", ".join(
            f"{name} {ms * 1000:.1f} ms/{count} q" for name, (ms, count) in results[size].items()
        )
        print(f"{size} open tasks: {shown}")

    staff = [name for name in results[100] if name != "bare"]
    # Each page's growth from 100 to 10,000 open tasks. Both sizes are taken in the
    # same rounds, so the machine's load is the same for both; the bare page's own
    # growth (it does not depend on the tasks) is printed as the check of that.
    load = results[10_000]["bare"][0] / results[100]["bare"][0]
    ratios = {name: results[10_000][name][0] / results[100][name][0] for name in staff}
    # The last page of 400 is read with OFFSET, which walks the rows before it: shown,
    # but not one of the pages the ratio is about (nobody pages to the far end).
    deep = ratios.pop("tasks_last_page")
    bare_ms = results[10_000]["bare"][0] * 1000
    for name in staff:
        ms = results[10_000][name][0] * 1000
        ratio = ratios.get(name, deep)
        print(f"  {name}: ratio {ratio:.2f}, {ms / bare_ms:.1f}x bare")
    queries_max = max(results[size][name][1] for size in results for name in staff)
    print(
        f"staff_ratio={max(ratios.values()):.2f} staff_queries_max={queries_max} "
        f"task_page_ms={results[10_000]['task_page'][0] * 1000:.1f} bare_ms={bare_ms:.1f} "
        f"last_page_ratio={deep:.2f} bare_growth={load:.2f}"
    )


if __name__ == "__main__":
    main()
