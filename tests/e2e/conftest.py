"""Browser fixtures: pytest-playwright's ``page`` driving Debian's Chromium.

No ``playwright install``: it downloads a browser, which fails on these
machines. We point pytest-playwright at /usr/bin/chromium instead.
"""

import os

# Playwright's sync API runs an event loop in the main thread; without this,
# Django refuses ORM calls made by fixtures and assertions in that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import shutil  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    if shutil.which(CHROMIUM) is None:
        skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: run `make system-deps`")
        for item in items:
            if item.get_closest_marker("e2e"):
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _staff_groups(transactional_db, staff_groups):
    """Browser tests use the live server, so their database is flushed, not rolled
    back; ``staff_groups`` makes the migration's groups again for each of them."""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium, headless unless pytest runs with ``--headed``."""
    args = list(CHROMIUM_ARGS)
    if browser_type_launch_args.get("headless", True):
        args.append("--headless=new")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """An English-speaking visitor, so that switching to Spanish is a real change."""
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def page(page):
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page


@pytest.fixture
def new_page(new_context):
    """Another person's browser (own cookies), e.g. a staff member after an applicant."""

    def make():
        other = new_context().new_page()
        other.set_default_timeout(TIMEOUT_MS)
        other.set_default_navigation_timeout(TIMEOUT_MS)
        return other

    return make
