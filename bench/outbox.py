"""Throughput of the outbox against a bare loop of anymail sends.

Starts moto's SES on 127.0.0.1 and, in a throwaway SQLite database, commits
1,000 outbox rows, each followed by ``enqueue_send`` as ``notify`` calls it
after its commit (as if 1,000 letters had each sent one email), and drains them
with one worker (``db_worker --batch``) through anymail's Amazon SES backend.
It then sends the same 1,000 emails with a bare loop of anymail ``send()`` calls
on one open connection to the same endpoint: no database, no task, nothing but
the ESP call.

Both run in rounds of 100, alternating which goes first, so that other load on
the machine weighs on both alike. A round's rows are committed (untimed) just
before the worker is started, as in a burst that arrives while the worker is
busy: ``enqueue_send`` then finds the first commit's ``send_outbox`` task still
waiting and adds no other, so the worker runs two tasks for the round (the one
that sends the 100 and the successor it queues, which finds nothing left)
instead of one per email. The timed drain does everything a real one does: the
worker claims its tasks and records their results, and each email is claimed on
its own row (conditional UPDATE), sent, and marked sent with the ESP's message
id. An email that trickles in while the worker is idle still costs one task of
its own; this bench does not measure that case, where the ESP is not the limit.
A third, diagnostic part drains 1,000 other rows, queued the same way, by
calling their tasks directly, without db_worker, to show what the worker itself
costs.

What moto received is read back from its ``/moto-api/data.json`` after each
timed part (moto is reset before each). Prints as its last line:

    outbox_ratio=<outbox / bare loop throughput> emails_per_s=<outbox> duplicates=<n> lost=<n>

Run: .venv/bin/python bench/outbox.py   (BENCH_EMAILS=200 for a quick run)
"""

import email
import email.policy
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMAILS = int(os.environ.get("BENCH_EMAILS", 1_000))
ROUND = 100
REGION = "us-east-1"
SENDER = "no-reply@alliance-for-care.org"
KEY_HEADER = "X-Alliance-Outbox-Key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WORKDIR = tempfile.mkdtemp(prefix="bench-outbox-")
PORT = free_port()
ENDPOINT = f"http://127.0.0.1:{PORT}"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{WORKDIR}/bench.sqlite3",
        "EMAIL_BACKEND": "anymail.backends.amazon_ses.EmailBackend",
        "DEFAULT_FROM_EMAIL": f"Global Alliance for Care <{SENDER}>",
        "AWS_SES_ENDPOINT_URL": ENDPOINT,
        "AWS_SES_REGION_NAME": REGION,
        # moto takes any credentials; never a real account's.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "OUTBOX_MAX_PER_SECOND": "0",
        "LOG_LEVEL": "WARNING",
    }
)

import boto3  # noqa: E402
import django  # noqa: E402
import requests  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

django.setup()
logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log

from django.conf import settings  # noqa: E402
from django.core.mail import EmailMultiAlternatives, get_connection  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from notifications.models import OutboxMessage, OutboxStatus  # noqa: E402
from notifications.outbox import enqueue_send  # noqa: E402
from notifications.services import APPLICANT, render_email  # noqa: E402


def reset_moto() -> None:
    requests.post(f"{ENDPOINT}/moto-api/reset", timeout=10).raise_for_status()
    ses = boto3.client("sesv2", endpoint_url=ENDPOINT, region_name=REGION)
    ses.create_email_identity(EmailIdentity=SENDER)


def received_keys() -> Counter:
    """How many times moto's SES accepted each outbox key (moto lists each message
    once, with its recipients twice)."""
    data = requests.get(f"{ENDPOINT}/moto-api/data.json", timeout=60).json()
    counts: Counter = Counter()
    for raw in data.get("ses", {}).get("RawMessage", []):
        message = email.message_from_string(raw["raw_data"], policy=email.policy.default)
        counts[str(message[KEY_HEADER]).strip()] += 1  # a long header comes back folded
    return counts


def render(numbers: range) -> list[OutboxMessage]:
    """Applicant emails rendered as notify renders them, not yet saved."""
    rows = []
    for n in numbers:
        language = ("es", "en", "fr")[n % 3]
        letter = SimpleNamespace(
            pk=n + 1, contact_name=f"Ana {n:04d}", organisation_name=f"Red de Cuidados {n:04d}"
        )
        rendered = render_email(
            event="letter_submitted",
            audience=APPLICANT,
            language=language,
            context={"letter": letter, "status_url": f"{settings.SITE_URL}/status/t{n:04d}/"},
        )
        rows.append(
            OutboxMessage(
                key=f"letter_submitted:letter:{n + 1}:{n + 1}:bench{n:04d}@org.example.org",
                event="letter_submitted",
                audience=APPLICANT,
                object_type="applications.letter",
                object_id=n + 1,
                recipient=f"bench{n:04d}@org.example.org",
                language=language,
                **rendered,
            )
        )
    return rows


def queue(rows: list[OutboxMessage]) -> None:
    """Commit the rows, then call ``enqueue_send`` once per row, as the on-commit
    callback of one ``notify`` per letter does."""
    OutboxMessage.objects.bulk_create(rows)
    for row in rows:
        enqueue_send(row.pk)


def drain_outbox() -> float:
    start = time.perf_counter()
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
    return time.perf_counter() - start


def call_queued_tasks() -> float:
    """Diagnostic: the same drain without db_worker's bookkeeping (claiming each task
    row in its own transaction, storing its result): each queued task called
    through the backend's stored task until none is ready, to show what the worker
    itself costs."""
    elapsed = 0.0
    while queued := list(DBTaskResult.objects.ready().order_by("enqueued_at")):
        start = time.perf_counter()
        for db_task_result in queued:
            task = import_string(db_task_result.task_path)
            task.call(*db_task_result.args_kwargs["args"], **db_task_result.args_kwargs["kwargs"])
        elapsed += time.perf_counter() - start
        DBTaskResult.objects.filter(pk__in=[row.pk for row in queued]).delete()
    return elapsed


def bare_loop(connection, rows: list[OutboxMessage]) -> float:
    """The same emails straight to anymail, one send() each on one connection
    (opened in the first round's time, as the worker opens its own in its first)."""
    messages = [(row.subject, row.body_text, row.body_html, row.recipient, row.key) for row in rows]
    start = time.perf_counter()
    connection.open()
    for subject, text, html, recipient, key in messages:
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient],
            headers={KEY_HEADER: key[:200]},
            connection=connection,
        )
        message.attach_alternative(html, "text/html")
        message.send()
    return time.perf_counter() - start


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT, verbose=False)
    server.start()
    seconds: Counter = Counter()
    arrived = {"outbox": Counter(), "direct": Counter(), "bare": Counter()}
    keys: dict[str, list[str]] = {"outbox": [], "direct": []}
    try:
        call_command("migrate", verbosity=0)
        connection = get_connection()
        parts = ["outbox", "direct", "bare"]
        for index, first in enumerate(range(0, EMAILS, ROUND)):
            last = min(first + ROUND, EMAILS)
            # The diagnostic drain gets rows of its own. Each part's rows are
            # committed just before it runs, so that a drain sees only its own.
            rows = {
                "outbox": render(range(first, last)),
                "direct": render(range(EMAILS + first, EMAILS + last)),
            }
            for part in parts[index % 3 :] + parts[: index % 3]:  # rotate who goes first
                reset_moto()
                if part == "outbox":
                    queue(rows[part])
                    seconds[part] += drain_outbox()
                elif part == "direct":
                    queue(rows[part])
                    seconds[part] += call_queued_tasks()
                else:
                    seconds[part] += bare_loop(connection, rows["outbox"])
                arrived[part] += received_keys()
            for part in ("outbox", "direct"):
                keys[part] += [row.key[:200] for row in rows[part]]
        connection.close()
        unsent = OutboxMessage.objects.exclude(status=OutboxStatus.SENT).count()
        tasks_run = DBTaskResult.objects.count()  # the diagnostic's were deleted
    finally:
        server.stop()
        shutil.rmtree(WORKDIR, ignore_errors=True)

    rate = {part: EMAILS / seconds[part] for part in ("outbox", "direct", "bare")}
    duplicates = sum(count - 1 for count in arrived["outbox"].values() if count > 1)
    lost = sum(1 for key in keys["outbox"] if arrived["outbox"][key] == 0)
    direct_ok = all(arrived["direct"][key] == 1 for key in keys["direct"])
    print(
        f"bare loop: {EMAILS} emails in {seconds['bare']:.2f} s ({rate['bare']:.1f}/s), "
        f"arrived={sum(arrived['bare'].values())}; "
        f"outbox through db_worker: {seconds['outbox']:.2f} s ({rate['outbox']:.1f}/s), "
        f"rows not sent={unsent}, worker tasks={tasks_run}; "
        f"outbox without db_worker's bookkeeping (diagnostic): {seconds['direct']:.2f} s, "
        f"ratio={rate['direct'] / rate['bare']:.2f}, each once={direct_ok}"
    )
    print(
        f"outbox_ratio={rate['outbox'] / rate['bare']:.2f} emails_per_s={rate['outbox']:.1f} "
        f"duplicates={duplicates} lost={lost}"
    )


if __name__ == "__main__":
    main()
