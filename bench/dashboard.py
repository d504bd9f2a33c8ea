"""The staff dashboard and the letters export at 1,000 and 20,000 letters, and the
export's memory at 200,000.

Seeds two throwaway SQLite databases, one with 1,000 letters and one with
20,000, in every state, each with its review process and tasks as the flow
leaves them (closed tasks for what was done, an open one where a letter waits,
some of them overdue), by bulk insert. Renders the dashboard for a reviewer
through Django's test client in rounds that alternate between the two
databases (3 requests a round after one untimed, 30 rounds), so that other
load on the machine weighs on both sizes alike, and takes the median of each
round's ratio: as staff see it (the figures kept until a letter changes), with
every figure recomputed for every request, and just after a new letter (the
counts recomputed, the medians kept until a decision or onboarding).
Downloads the letters CSV export and the workbook at both sizes. Then adds letters
up to 200,000 and downloads both once more, sampling the process's resident memory while the rows
stream. Prints as its last line:

    dashboard_ratio=<median ms at 20k / at 1k> dashboard_ms_20k=<median>
    export_ms_per_row=<at 20k> export_rss_growth_mb=<RSS peak - before, 200k rows>
    export_xlsx_ms_per_row=<the workbook, at 20k> export_xlsx_rss_growth_mb=<200k rows>
    queries_1k=<dashboard queries> queries_20k=<the same, at 20k>

Run: .venv/bin/python bench/dashboard.py   (a few minutes; BENCH_EXPORT_ROWS=50000 for less)
"""

import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="bench-dashboard-")
DATABASES = {size: f"{WORKDIR}/letters-{size}.sqlite3" for size in (1_000, 20_000)}
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASES[1_000]}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["STAFF_REQUIRE_2FA"] = "false"  # staff pages measured, not the second factor
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from viewflow.workflow.models import Process, Task  # noqa: E402

from applications.choices import Constituency  # noqa: E402
from applications.models import Letter  # noqa: E402

FLOW = "review/flows.LetterFlow"
RUNS = 3
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 30))
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", 200_000))
COUNTRIES = ["MX", "AR", "CO", "KE", "SN", "FR", "ES", "IN", "AU", "US", "BR", "ZA", "JP", "EG"]
# state: (share, tasks done before it, the open task's node or None)
STATES = {
    "submitted": (10, [], "screen"),
    "changes_requested": (4, ["screen"], None),
    "reviewed": (5, ["screen"], "decide"),
    "approved": (4, ["screen", "decide"], "onboard"),
    "onboarded": (47, ["screen", "decide", "onboard"], None),
    "rejected": (22, ["screen", "decide"], None),
    "withdrawn": (8, [], None),
}
PERMISSION = {
    "screen": "applications.screen_letter",
    "decide": "applications.decide_letter",
    "onboard": "applications.onboard_letter",
}


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def seed(count: int, *, start: int, rng: random.Random, with_flow: bool = True) -> None:
    """``count`` letters, by bulk insert, with their processes and tasks."""
    now = timezone.now()
    states = [state for state, (share, _done, _open) in STATES.items() for _ in range(share)]
    rows = []
    for i in range(start, start + count):
        state = states[i % len(states)]
        submitted = now - timedelta(days=rng.uniform(1, 400))
        decided = onboarded = None
        if "decide" in STATES[state][1]:
            decided = submitted + timedelta(days=rng.uniform(2, 40))
        if state == "onboarded":
            onboarded = decided + timedelta(days=rng.uniform(1, 30))
        rows.append((state, submitted, decided, onboarded))
    with transaction.atomic():
        letters = Letter.objects.bulk_create(
            [
                Letter(
                    organisation_name=f"Organización {i}",
                    constituency=Constituency.values[i % len(Constituency.values)],
                    country=COUNTRIES[i % len(COUNTRIES)],
                    contact_name="Contacto",
                    contact_role="Dirección",
                    contact_email=f"c{i}@example.org",
                    care_work="Cuidados comunitarios.",
                    motivation="Motivación.",
                    priority_areas=["knowledge_data"],
                    consent_privacy=True,
                    status=state,
                    name_key=f"organizacion{i}",
                    decided_at=decided,
                    onboarded_at=onboarded,
                )
                for i, (state, _submitted, decided, onboarded) in zip(
                    range(start, start + count), rows, strict=True
                )
            ],
            batch_size=2000,
        )
        with connection.cursor() as cursor:  # submitted_at is auto_now_add
            cursor.executemany(
                f"UPDATE {Letter._meta.db_table} SET submitted_at = %s WHERE id = %s",
                [(row[1], letter.pk) for row, letter in zip(rows, letters, strict=True)],
            )
        if not with_flow:
            return
        processes = Process.objects.bulk_create(
            [
                Process(flow_class=FLOW, status="NEW" if STATES[row[0]][2] else "DONE")
                for row in rows
            ],
            batch_size=2000,
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO review_letterprocess (process_ptr_id, letter_id) VALUES (%s, %s)",
                [(p.pk, letter.pk) for p, letter in zip(processes, letters, strict=True)],
            )
        tasks = []
        for process, (state, submitted, _decided, _onboarded) in zip(processes, rows, strict=True):
            _share, done, open_node = STATES[state]
            at = submitted
            for node in done:
                finished = at + timedelta(days=rng.uniform(0.5, 10))
                tasks.append(task(process, node, "DONE", at, finished))
                at = finished
            if open_node:
                # Opened some days ago: about a third past its deadline.
                opened = now - timedelta(days=rng.uniform(0, 30))
                tasks.append(task(process, open_node, rng.choice(["NEW", "ASSIGNED"]), opened))
        Task.objects.bulk_create(tasks, batch_size=2000)


def task(process, node, status, created, finished=None):
    return Task(
        process_id=process.pk,
        flow_task=f"{FLOW}.{node}",
        flow_task_type="HUMAN",
        status=status,
        owner_permission=PERMISSION[node],
        created=created,
        finished=finished,
    )


def use(size: int) -> None:
    """Point the connection at the database of ``size`` letters."""
    connection.close()
    connection.settings_dict["NAME"] = DATABASES[size]


MODES = ("kept", "fresh", "submitted")


def new_letter() -> Letter:
    return Letter.objects.create(
        organisation_name="Organización nueva",
        constituency=Constituency.values[0],
        country="MX",
        contact_name="Contacto",
        contact_role="Dirección",
        contact_email="nueva@example.org",
        care_work="Cuidados comunitarios.",
        motivation="Motivación.",
        priority_areas=["knowledge_data"],
        consent_privacy=True,
        status="submitted",
        name_key="organizacionnueva",
    )


def measure_dashboard(client, *, mode: str) -> tuple[float, int]:
    """Median ms and queries of the dashboard. ``kept``: as staff see it between
    changes; ``fresh``: with every kept figure dropped first; ``submitted``: just
    after a new letter arrived (removed again after the request, so that both
    databases keep their size), the commonest change during a call."""
    url = reverse("review:dashboard")
    client.get(url)
    times = []
    for _ in range(RUNS):
        if mode == "fresh":
            cache.clear()
        letter = new_letter() if mode == "submitted" else None
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200
        if letter:
            letter.delete()
    return statistics.median(times) * 1000, len(captured)


def export(client, view="review:export_letters") -> tuple[int, float, float]:
    """Rows, seconds, and the RSS growth (MB) while the letters CSV (or, with
    ``view="review:export_letters_xlsx"``, the workbook) streams. A workbook's rows
    are counted by reading it back, after the clock and the memory samples."""
    gc.collect()
    before = peak = rss_mb()
    start = time.perf_counter()
    response = client.get(reverse(view))
    assert response.status_code == 200, response.status_code
    lines = 0
    workbook = tempfile.TemporaryFile() if view.endswith("_xlsx") else None
    for n, chunk in enumerate(response.streaming_content):
        if workbook is None:
            lines += chunk.count(b"\n")
        else:
            workbook.write(chunk)
        if n % 50 == 0:
            peak = max(peak, rss_mb())
    elapsed = time.perf_counter() - start
    peak = max(peak, rss_mb())
    if workbook is not None:
        from openpyxl import load_workbook

        workbook.seek(0)
        book = load_workbook(workbook, read_only=True)
        lines = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
        book.close()
        workbook.close()
    return lines - 1, elapsed, peak - before


def main() -> None:
    try:
        run()
    finally:
        connection.close()
        shutil.rmtree(WORKDIR, ignore_errors=True)


def run() -> None:
    rng = random.Random(17)
    client = Client()
    for size in DATABASES:
        use(size)
        call_command("migrate", verbosity=0)
        reviewer = User.objects.create_user("bench-reviewer", password="x")
        reviewer.groups.add(Group.objects.get(name="Secretariat"))
        seed(size, start=0, rng=rng)

    times = {(size, mode): [] for size in DATABASES for mode in MODES}
    queries = {}
    ratios = {mode: [] for mode in MODES}
    for round_number in range(ROUNDS):
        sizes = list(DATABASES) if round_number % 2 == 0 else list(reversed(DATABASES))
        for size in sizes:
            use(size)
            client.force_login(User.objects.get(username="bench-reviewer"))
            for mode in MODES:
                ms, queries[size, mode] = measure_dashboard(client, mode=mode)
                times[size, mode].append(ms)
        for mode in MODES:
            ratios[mode].append(times[20_000, mode][-1] / times[1_000, mode][-1])
    per_row = {}
    for size in DATABASES:
        use(size)
        client.force_login(User.objects.get(username="bench-reviewer"))
        runs = [export(client) for _ in range(3)]
        assert all(rows == size for rows, _seconds, _growth in runs), runs
        per_row[size] = statistics.median(seconds for _rows, seconds, _growth in runs) / size
        runs = [export(client, "review:export_letters_xlsx") for _ in range(3)]
        assert all(rows == size for rows, _seconds, _growth in runs), runs
        per_row[size, "xlsx"] = (
            statistics.median(seconds for _rows, seconds, _growth in runs) / size
        )
        print(
            f"{size} letters: dashboard {statistics.median(times[size, 'kept']):.1f} ms, "
            f"{queries[size, 'kept']} queries (figures recomputed: "
            f"{statistics.median(times[size, 'fresh']):.1f} ms, {queries[size, 'fresh']} queries; "
            f"after a new letter: {statistics.median(times[size, 'submitted']):.1f} ms, "
            f"{queries[size, 'submitted']} queries); export {per_row[size] * 1e6:.1f} µs a row "
            f"(workbook {per_row[size, 'xlsx'] * 1e6:.1f} µs)"
        )
    for mode in MODES:
        print(f"dashboard ratios by round ({mode}): {', '.join(f'{r:.2f}' for r in ratios[mode])}")
    print(
        f"figures recomputed: dashboard_fresh_ratio={statistics.median(ratios['fresh']):.2f} "
        f"dashboard_fresh_ms_20k={statistics.median(times[20_000, 'fresh']):.1f}; "
        f"after a new letter: dashboard_submitted_ratio="
        f"{statistics.median(ratios['submitted']):.2f} "
        f"dashboard_submitted_ms_20k={statistics.median(times[20_000, 'submitted']):.1f}"
    )

    seeded = 20_000
    while seeded < EXPORT_ROWS:
        batch = min(20_000, EXPORT_ROWS - seeded)
        seed(batch, start=seeded, rng=rng, with_flow=False)
        seeded += batch
    rows, seconds, growth = export(client)
    print(
        f"{rows} letters: export {seconds:.1f} s ({seconds * 1e6 / rows:.1f} µs a row), "
        f"RSS +{growth:.1f} MB while streaming"
    )
    xlsx_rows, xlsx_seconds, xlsx_growth = export(client, "review:export_letters_xlsx")
    assert xlsx_rows == rows, (xlsx_rows, rows)
    print(
        f"{xlsx_rows} letters: workbook {xlsx_seconds:.1f} s "
        f"({xlsx_seconds * 1e6 / xlsx_rows:.1f} µs a row), "
        f"RSS +{xlsx_growth:.1f} MB while streaming"
    )
    print(
        f"dashboard_ratio={statistics.median(ratios['kept']):.2f} "
        f"dashboard_ms_20k={statistics.median(times[20_000, 'kept']):.1f} "
        f"export_ms_per_row={per_row[20_000] * 1000:.4f} "
        f"export_rss_growth_mb={growth:.1f} "
        f"export_xlsx_ms_per_row={per_row[20_000, 'xlsx'] * 1000:.4f} "
        f"export_xlsx_rss_growth_mb={xlsx_growth:.1f} "
        f"queries_1k={queries[1_000, 'kept']} queries_20k={queries[20_000, 'kept']}"
    )


if __name__ == "__main__":
    main()
