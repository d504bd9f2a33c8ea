"""Throughput of the public letter form and member directory against a constant page.

Seeds a throwaway SQLite database like ``make run`` does (``demo_data``) plus
300 listed members, serves the site with gunicorn (2 workers) on 127.0.0.1
with bench/pages_settings.py (the real settings and URLs, plus a constant page
of a given size, bench/pages_urls.py), and loads, in turn and for several
rounds, ``/apply/``, ``/members/`` and a constant page of the same size as
each. The load is bounded: wrk (``apt-get install -y wrk``) with 2 threads and
8 connections for a few seconds, or, without wrk, 8 Python client threads.
Each round measures a page and its constant page one after the other, so that
other load on the machine weighs on both alike; the ratios are medians over
the rounds. Prints as its last line:

    apply_ratio=<apply / constant rps> members_ratio=<members / constant rps>
    apply_rps=<median> constant_rps=<median, the constant page of /apply/'s size>

Run: .venv/bin/python bench/pages.py   (about a minute; BENCH_ROUNDS, BENCH_SECONDS)
"""

import http.client
import os
import re
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
WORKDIR = tempfile.mkdtemp(prefix="bench-pages-")
ENV = {
    **os.environ,
    "DATABASE_URL": f"sqlite:///{WORKDIR}/bench.sqlite3",
    "DJANGO_SETTINGS_MODULE": "bench.pages_settings",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
    "MEDIA_ROOT": f"{WORKDIR}/media",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 9))
SECONDS = float(os.environ.get("BENCH_SECONDS", 2))
CONNECTIONS = 8
MEMBERS = 300
LANGUAGE = {"Accept-Language": "es"}


def seed() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from applications.choices import Constituency, PriorityArea
    from applications.models import Organisation

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    countries = ["MX", "AR", "CO", "KE", "SN", "FR", "ES", "IN", "AU", "US", "BR", "ZA"]
    for i in range(MEMBERS):
        Organisation(
            name=f"Red de Cuidados {i:04d}",
            constituency=Constituency.values[i % len(Constituency.values)],
            country=countries[i % len(countries)],
            contact_email=f"m{i}@example.org",
            language="es",
            priority_areas=[PriorityArea.values[i % len(PriorityArea.values)]],
            public_listing=True,
            member_since=timezone.localdate(),
        ).save()


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


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=LANGUAGE)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def load_wrk(port: int, path: str, seconds: float) -> tuple[float, int]:
    """Requests per second and failed requests over ``seconds`` of wrk."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{max(1, round(seconds))}s",
            "-H",
            "Accept-Language: es",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(map(int, errors.groups())) if errors else 0
    )
    return rps, failed


def load_threads(port: int, path: str, seconds: float) -> tuple[float, int]:
    """The same with Python client threads (one connection per request, as gunicorn's
    sync workers close each)."""
    done = failed = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        nonlocal done, failed
        while time.perf_counter() < stop:
            try:
                status, _ = fetch(port, path)
                ok = status == 200
            except (OSError, http.client.HTTPException):
                ok = False
            with lock:
                done += 1
                failed += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done / (time.perf_counter() - start), failed


def main() -> None:
    seed()
    load = load_wrk if shutil.which("wrk") else load_threads
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
        pages = {}
        for name, path in (("apply", "/apply/"), ("members", "/members/")):
            status, body = fetch(port, path)
            assert status == 200, (path, status)
            pages[name] = (path, f"/bench/constant/{len(body)}/", len(body))
            status, constant = fetch(port, pages[name][1])
            assert status == 200 and len(constant) == len(body)
        for path, constant, _size in pages.values():  # warm both workers
            load(port, path, 1)
            load(port, constant, 1)
        rps = {name: [] for name in pages}
        constant_rps = {name: [] for name in pages}
        ratios = {name: [] for name in pages}
        failures = 0
        for round_number in range(ROUNDS):
            for name, (path, constant, _size) in pages.items():
                # Alternate which goes first, so that a trend in the machine's
                # other load does not favour either.
                order = [(path, rps), (constant, constant_rps)]
                if round_number % 2:
                    order.reverse()
                got = {}
                for target, into in order:
                    value, failed = load(port, target, SECONDS)
                    failures += failed
                    into[name].append(value)
                    got[target] = value
                ratios[name].append(got[path] / got[constant])
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(WORKDIR, ignore_errors=True)
    for name, (path, _constant, size) in pages.items():
        print(
            f"{path}: {size} bytes, rps {statistics.median(rps[name]):.0f} "
            f"(rounds {', '.join(f'{v:.0f}' for v in rps[name])}); constant page "
            f"{statistics.median(constant_rps[name]):.0f} rps; ratios "
            f"{', '.join(f'{v:.2f}' for v in ratios[name])}"
        )
    print(f"load: {load.__name__}, {CONNECTIONS} connections, {ROUNDS} rounds of {SECONDS:g} s")
    print(f"failed requests: {failures}")
    print(
        f"apply_ratio={statistics.median(ratios['apply']):.2f} "
        f"members_ratio={statistics.median(ratios['members']):.2f} "
        f"apply_rps={statistics.median(rps['apply']):.0f} "
        f"constant_rps={statistics.median(constant_rps['apply']):.0f}"
    )


if __name__ == "__main__":
    main()
