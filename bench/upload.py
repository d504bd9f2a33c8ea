"""A letter with a 10 MB PDF through the form, to local disk and to S3, and a
60 MB upload that is refused.

Seeds a throwaway SQLite database, starts moto's S3 on 127.0.0.1 and two
gunicorn servers of one worker each on the same database: one storing
attachments on local disk, one in the moto bucket. Each round posts the letter
form (after a GET for its CSRF token) with a 10 MB PDF to both, alternating
which goes first, and times the POST from the client; the ratio is the median
of the rounds' S3 / local-disk times. Memory is the worker's resident set read
from /proc: its peak (VmHWM, reset after the first, warming upload) over the
later uploads minus its size after the first; then the same for one POST of a
60 MB file, which the form refuses. Prints as its last line:

    upload_ratio=<S3 / local time> rss_growth_mb=<S3 worker> refused_rss_growth_mb=<60 MB POST>
    moto_put_ms=<moto alone taking the 10 MB> s3_extra_ms=<S3 - local, median of rounds>
    upload_floor_ratio=<the best S3 / local time any design could reach>

The floor: each round also posts the same letter with a 1 KB PDF to the local
server, which is roughly what the server does once a file has arrived (the
letter's checks, rows, revision and queued emails). An S3 write can only start
once the file has arrived whole (a PUT needs its length first), so even if it
ran beside all of that work, the S3 POST would take at least
local - small + moto_put: ``upload_floor_ratio`` is that over local. A design
that checks the file (type, virus scan, digest) and the form's CSRF token
before writing anything starts later still, and stays above it.

Run: .venv/bin/python bench/upload.py   (about a minute; BENCH_ROUNDS)
"""

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import requests
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="bench-upload-")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 7))
MB = 1024 * 1024
BUCKET = "bench-attachments"
BASE_ENV = {
    **os.environ,
    "DATABASE_URL": f"sqlite:///{WORKDIR}/bench.sqlite3",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "MEDIA_ROOT": f"{WORKDIR}/media",
    "RATE_LIMIT_PUBLIC_FORMS": "100000/m",
    "LOG_LEVEL": "WARNING",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


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
    raise RuntimeError(f"nothing listens on {port}")


def pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return head + b"%" * (size - len(head))


FIELDS = {
    "organisation_name": "Red de Cuidados",
    "constituency": "civil_society",
    "country": "MX",
    "contact_name": "María Pérez",
    "contact_role": "Directora",
    "contact_email": "maria@red.example.org",
    "language": "es",
    "care_work": "Centros comunitarios de cuidado infantil.",
    "motivation": "Queremos compartir experiencias.",
    "priority_areas": "experience_exchange",
    "consent_privacy": "on",
}


class Server:
    """One gunicorn (one worker) with the site's settings and ``env``."""

    def __init__(self, name: str, env: dict):
        self.name = name
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**BASE_ENV, **env},
        )
        wait_for(self.port)

    @property
    def worker(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return int(children.read_text().split()[0])

    def memory(self, field: str) -> float:
        status = Path(f"/proc/{self.worker}/status").read_text()
        return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024

    def reset_peak(self) -> None:
        Path(f"/proc/{self.worker}/clear_refs").write_text("5")

    def post_letter(self, content: bytes) -> tuple[int, float]:
        session = requests.Session()
        url = f"http://127.0.0.1:{self.port}/apply/"
        page = session.get(url, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        start = time.perf_counter()
        response = session.post(
            url,
            data={**FIELDS, "csrfmiddlewaretoken": token},
            files={"signed_letter": ("carta.pdf", content, "application/pdf")},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=120,
        )
        return response.status_code, time.perf_counter() - start

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def raw_put(endpoint: str, content: bytes) -> float:
    """Seconds for moto alone to take the same 10 MB: one PUT without boto3 (moto
    checks no signature), what the S3 side costs before our code does anything."""
    start = time.perf_counter()
    response = requests.put(
        f"{endpoint}/{BUCKET}/raw-put",
        data=content,
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/"
            "aws4_request, SignedHeaders=host, Signature=0"
        },
        timeout=60,
    )
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - start


def main() -> None:
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.core.management import call_command; "
            "call_command('migrate', verbosity=0); call_command('createcachetable')",
        ],
        cwd=ROOT,
        env=BASE_ENV,
        check=True,
    )
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto_port}"
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=BUCKET)
    servers = {
        "local": Server("local", {}),
        "s3": Server(
            "s3",
            {
                "AWS_STORAGE_BUCKET_NAME": BUCKET,
                "AWS_S3_ENDPOINT_URL": endpoint,
                "AWS_S3_REGION_NAME": "us-east-1",
            },
        ),
    }
    content = pdf(10 * MB - 64 * 1024)
    try:
        base = {}
        for name, server in servers.items():  # the first upload warms each worker
            status, _ = server.post_letter(content)
            assert status == 302, (name, status)
            base[name] = server.memory("VmRSS")
            server.reset_peak()
        times = {name: [] for name in servers}
        ratios, small = [], []
        for round_number in range(ROUNDS):
            order = list(servers) if round_number % 2 == 0 else list(reversed(servers))
            for name in order:
                status, seconds = servers[name].post_letter(content)
                assert status == 302, (name, status)
                times[name].append(seconds)
            ratios.append(times["s3"][-1] / times["local"][-1])
            status, seconds = servers["local"].post_letter(pdf(1024))
            assert status == 302, ("small", status)
            small.append(seconds)
        growth = {name: server.memory("VmHWM") - base[name] for name, server in servers.items()}
        rss = {name: server.memory("VmRSS") for name, server in servers.items()}
        stored = s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
        moto_put = statistics.median(raw_put(endpoint, content) for _ in range(5))

        refusing = servers["s3"]
        before = refusing.memory("VmRSS")
        refusing.reset_peak()
        status, seconds = refusing.post_letter(pdf(60 * MB))
        refused_growth = refusing.memory("VmHWM") - before
        assert status in (400, 413), status
    finally:
        for server in servers.values():
            server.stop()
        moto.stop()
        shutil.rmtree(WORKDIR, ignore_errors=True)
    for name in servers:
        print(
            f"{name}: POST with 10 MB {statistics.median(times[name]) * 1000:.0f} ms "
            f"(rounds {', '.join(f'{t * 1000:.0f}' for t in times[name])}); worker RSS "
            f"{rss[name]:.0f} MB, peak growth over {ROUNDS} uploads after the first "
            f"{growth[name]:.1f} MB"
        )
    print(
        f"ratios by round: {', '.join(f'{r:.2f}' for r in ratios)}; objects in the bucket: {stored}"
    )
    print(
        f"60 MB upload: {status} in {seconds * 1000:.0f} ms, worker peak +{refused_growth:.1f} MB"
    )
    local, extra = (
        statistics.median(times["local"]),
        statistics.median(
            s3 - local for s3, local in zip(times["s3"], times["local"], strict=True)
        ),
    )
    floor = (local - statistics.median(small) + moto_put) / local
    print(
        f"local POST with a 1 KB PDF: {statistics.median(small) * 1000:.0f} ms; "
        f"S3 write started the moment the file arrived, at best: {floor:.2f} of local"
    )
    print(
        f"upload_ratio={statistics.median(ratios):.2f} rss_growth_mb={growth['s3']:.1f} "
        f"refused_rss_growth_mb={refused_growth:.1f} moto_put_ms={moto_put * 1000:.0f} "
        f"s3_extra_ms={extra * 1000:.0f} upload_floor_ratio={floor:.2f}"
    )


if __name__ == "__main__":
    main()
