"""linkchecker (Debian's, installed by ``make test``) over the demo site that
``make run`` serves: a fresh SQLite database, migrated, with the demo data, and
Django's development server. Every link reachable from the home page, and from
the pages it links to, is followed on our site: 0 broken (issue 16, item 11)."""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .processes import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _manage(env, *args, timeout=300):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=timeout,
    )


def test_the_demo_site_has_no_broken_link(tmp_path):
    linkchecker = shutil.which("linkchecker")
    if linkchecker is None:
        pytest.skip("linkchecker is not installed (make test installs Debian's linkchecker)")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "AWS_", "EMAIL_", "PYTEST_", "REDIS_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",  # as make run: runserver serves the static files
            "STAFF_REQUIRE_2FA": "false",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "RATE_LIMIT_PUBLIC_FORMS": "100000/m",
            "LOG_LEVEL": "WARNING",
        }
    )
    _manage(env, "migrate", "--noinput")
    _manage(env, "createcachetable")
    _manage(env, "demo_data")
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        done = subprocess.run(
            [
                linkchecker,
                "--no-status",
                "--verbose",
                "--no-warnings",
                "--threads=4",
                "--check-extern",
                # Only our site is crawled; links out of it are not followed here
                # (no network), the staff area needs a login.
                f"--ignore-url=^https?://(?!127\\.0\\.0\\.1:{port}/)",
                "--ignore-url=/accounts/logout/",
                # An address to write to is not a page: checking it means a DNS
                # lookup of its mail host, which this machine cannot make.
                "--ignore-url=^mailto:",
                base,
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    output = done.stdout
    checked = sorted(set(re.findall(r"^Real URL\s+(\S+)", output, re.M)))
    found = re.search(r"(\d+) links? in (\d+) URLs? checked", output)
    errors = re.search(r"(\d+) errors? found", output)
    broken = int(errors.group(1)) if errors else (0 if "0 errors found" in output else -1)
    print(
        f"\nlinkchecker (demo site): urls={found.group(2) if found else '?'} "
        f"links={found.group(1) if found else '?'} broken={broken}"
    )
    assert found, output[-3000:]
    # The crawl reached the form, the directory and the member pages, not the home alone.
    assert {"apply/", "members/"} <= {urlsplit(url).path.lstrip("/") for url in checked}, checked
    assert broken == 0, output[-5000:]
