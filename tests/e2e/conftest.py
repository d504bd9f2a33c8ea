"""Browser fixtures: pytest-playwright's ``page`` driving Debian's Chromium.

No ``playwright install``: it downloads a browser, which fails on these
machines. We point pytest-playwright at /usr/bin/chromium instead.
"""

import os

# Playwright's sync API runs an event loop in the main thread; without this,
# Django refuses ORM calls made by fixtures and assertions in that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import importlib  # noqa: E402
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
        skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: run `make chromium`")
        for item in items:
            if item.get_closest_marker("e2e"):
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _staff_groups(transactional_db):
    """The staff groups of the review/0002 data migration, with their permissions.

    Browser tests use the live server, so their database is flushed after each
    test instead of rolled back: the groups made by the migration are gone for
    every transactional test after the first. ``serialized_rollback`` cannot
    bring them back once an earlier transactional test (e.g. the PostgreSQL
    concurrency test) has flushed the database and post_migrate has recreated
    the content types with new ids, so the groups are made again here, from the
    migration's own list. Permissions and content types survive: the flush
    recreates them.
    """
    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("review.migrations.0002_staff_groups")
    for name, perms in migration.GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


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
