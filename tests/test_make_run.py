"""`make run HOST=… PORT=…`: the links in emails and the ones printed follow the address the
server listens on, unless SITE_URL is set (issue 13)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def site_url(*make_args, **env):
    """What `make run` would use: `make site-url` runs under the very exports of `run`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SITE_URL", "RUN_HOST", "RUN_PORT", "HOST", "PORT")
        and not key.startswith("DJANGO_SETTINGS")
    }
    environment.update(env)
    if (ROOT / ".env").exists():
        pytest.skip(".env beside manage.py could set SITE_URL: not a clean checkout")
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", "site-url", *make_args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_links_follow_another_port():
    assert site_url("PORT=8101") == "http://127.0.0.1:8101"


def test_links_follow_the_host_and_a_wildcard_host_is_reached_locally():
    assert site_url("HOST=localhost", "PORT=8102") == "http://localhost:8102"
    assert site_url("HOST=0.0.0.0", "PORT=8103") == "http://127.0.0.1:8103"


def test_default_is_port_8000():
    assert site_url() == "http://127.0.0.1:8000"


def test_a_site_url_of_ones_own_wins():
    assert site_url("PORT=8101", SITE_URL="https://join.example.org/") == "https://join.example.org"


def test_run_and_site_url_share_the_exports():
    """`site-url` stands for `run` only while both targets take the same exports."""
    makefile = (ROOT / "Makefile").read_text()
    assert "run site-url: export RUN_HOST := $(HOST)" in makefile
    assert "run site-url: export RUN_PORT := $(PORT)" in makefile
