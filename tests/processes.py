"""Real processes for the fault tests (tests/test_faults.py): a throwaway
PostgreSQL cluster, the app under gunicorn, the task worker and other
``manage.py`` commands, each run with the production settings
(``config.settings``) against a database of its own, never the shared one.

Mail goes through anymail's Amazon SES backend to the tests' moto server, so
what was sent is read back from moto exactly as in the other tests.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REGION = "us-east-1"
SENDER = "no-reply@alliance-for-care.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# -- PostgreSQL ----------------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _run_as() -> list[str] | None:
    """The prefix that runs PostgreSQL's tools: none for a normal user; as root,
    ``runuser -u postgres`` (initdb and postgres refuse to run as root).
    None when neither is possible."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else None


def postgres_unavailable_reason() -> str | None:
    if _postgres_bin() is None:
        return "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
    if _run_as() is None:
        return "running as root without a 'postgres' user or runuser to run initdb as"
    return None


class PostgresCluster:
    """A PostgreSQL cluster of our own in a temporary directory, on a free port,
    so that it can be stopped and restarted without touching the shared server."""

    def __init__(self):
        self.bin = _postgres_bin()
        self.prefix = _run_as()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if self.prefix:
            shutil.chown(self.dir, user="postgres")
        self._pg("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--no-sync")  # fmt: skip
        self.start()

    def _pg(self, tool: str, *args, timeout: float = 60) -> str:
        command = [*self.prefix, str(self.bin / tool), *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{tool} failed: {done.stdout}\n{done.stderr}")
        return done.stdout

    def _options(self) -> str:
        # fsync off: this cluster holds throwaway test data, and a clean stop
        # (what the tests do) checkpoints anyway.
        return (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )

    def start(self) -> None:
        self._pg("pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w", "-o", self._options(),
                 "start")  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as in a real restart."""
        self._pg("pg_ctl", "-D", self.data, "-w", "-m", "fast", "stop")

    def is_ready(self) -> bool:
        done = subprocess.run(
            [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            timeout=10,
        )
        return done.returncode == 0

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str) -> str:
        return self._pg("psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-d",
                        "postgres", "-v", "ON_ERROR_STOP=1", "-Atc", statement)  # fmt: skip

    def destroy(self) -> None:
        try:
            self._pg("pg_ctl", "-D", self.data, "-w", "-m", "immediate", "stop", timeout=30)
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


# -- the app ---------------------------------------------------------------------


def app_env(database_url: str, *, moto: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production deployment, pointed at test endpoints."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AWS_", "DATABASE_", "EMAIL_", "PYTEST_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "http://127.0.0.1",
            "MEDIA_ROOT": str(workdir / "media"),
            "EMAIL_BACKEND": "anymail.backends.amazon_ses.EmailBackend",
            "DEFAULT_FROM_EMAIL": f"Global Alliance for Care <{SENDER}>",
            "AWS_SES_ENDPOINT_URL": moto,
            "AWS_SES_REGION_NAME": REGION,
            # moto takes any credentials; never a real account's.
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            # Every request of these tests comes from 127.0.0.1.
            "RATE_LIMIT_PUBLIC_FORMS": "100000/m",
            # Staff log in with a password alone here (tests/test_second_factor.py has the rest).
            "STAFF_REQUIRE_2FA": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_database(env: dict[str, str]) -> None:
    """``migrate`` and ``createcachetable``, as on each release (one process: each
    start of Django costs seconds on a busy machine)."""
    shell(
        env,
        "from django.core.management import call_command; "
        "call_command('migrate', interactive=False, verbosity=0); "
        "call_command('createcachetable'); print(1)",
        timeout=300,
    )


def shell(env: dict[str, str], code: str, *, timeout: float = 120):
    """Run ``code`` in ``manage.py shell``; it prints one JSON value last."""
    output = manage(env, "shell", "--no-imports", "-c", code, timeout=timeout)
    return json.loads(output.strip().splitlines()[-1])


class Process:
    """A long-running child (gunicorn, db_worker) with its output in a file."""

    def __init__(self, env: dict[str, str], args: list[str], log: Path):
        self.log = log
        self._log_file = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log_file.close()


def children(pid: int) -> set[int]:
    """The child processes of ``pid`` (gunicorn's workers), from /proc."""
    found = set()
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        with open(path) as file:
            found.update(int(child) for child in file.read().split())
    return found


class Gunicorn(Process):
    """The app as README's "Deploying" runs it: ``gunicorn config.wsgi``."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            env,
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "30",
             "--access-logfile", "-", "--access-logformat", "access %(p)s %(s)s"],
            log,
        )  # fmt: skip
        try:
            wait_until(self._serving, timeout=60, what="gunicorn to serve")
            wait_until(lambda: len(children(self.pid)) == workers, timeout=30, what="its workers")
        except BaseException:
            self.stop()  # the caller never gets the object to stop it
            raise

    def _serving(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"gunicorn exited:\n{self.output()}")
        try:
            return requests.get(self.url + "/", timeout=30).status_code == 200
        except requests.ConnectionError:
            return False

    def workers(self) -> set[int]:
        return children(self.pid)

    def served(self) -> list[tuple[int, int]]:
        """(worker pid, status) of each request answered so far, from the access log."""
        found = re.findall(r"^access <(\d+)> (\d+)$", self.output(), flags=re.MULTILINE)
        return [(int(pid), int(status)) for pid, status in found]


def db_worker(env: dict[str, str], log: Path) -> Process:
    """``manage.py worker`` (``db_worker`` that outlives a database restart) as
    README's "Deploying" runs it."""
    return Process(
        env,
        [PYTHON, "manage.py", "worker", "--no-startup-delay", "--interval", "0.2"],
        log,
    )
