"""Browser fixtures: pytest-playwright's ``page`` driving Debian's Chromium.

No ``playwright install``: it downloads a browser, which fails on these
machines. We point pytest-playwright at /usr/bin/chromium instead.
"""

import os

# Playwright's sync API runs an event loop in the main thread; without this,
# Django refuses ORM calls made by fixtures and assertions in that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import pytest  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402

from tests.html_check import Pages  # noqa: E402

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


# A path segment that names one object or carries a token: a number, a UUID, a
# signed value. Taken out, so that one page seen for two letters is one page.
_ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f-]{36}|[A-Za-z0-9_\-:.]{20,})$")
JOURNEY_PAGES_MAX = 200
JOURNEY_VARIANTS_PER_PATH = 3
# axe-core from npm (package.json; ``make test`` runs ``npm ci``), as in
# test_accessibility.py.
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE = Axe.from_file(str(AXE_JS)) if AXE_JS.exists() else None
AXE_BLOCKING = {"serious", "critical"}


class JourneyPages(Pages):
    """The HTML of every page the journeys load in Chromium (main frame, this
    site, ``text/html``), for the Nu HTML Checker in ``test_zz_journey_pages.py``.
    Each distinct page once: up to three variants (e.g. a form empty and with its
    errors) per path with ids and tokens taken out, 200 pages in all. Each is also
    run through axe-core as it loads: its serious or critical violations are kept
    for the same test."""

    def __init__(self):
        super().__init__()
        self.per_path: dict[str, int] = {}
        self.loads = 0
        self.axe_pages = 0
        self.axe_problems: list[str] = []

    @staticmethod
    def path_of(url: str) -> str:
        segments = urlsplit(url).path.split("/")
        return "/".join("<id>" if _ID_SEGMENT.match(s) else s for s in segments)

    def watch(self, page, *, audit=True) -> None:
        page.on("load", lambda: self.record(page, audit=audit))

    def record(self, page, *, audit=True) -> None:
        url = page.url
        if not url.startswith(("http://localhost", "http://127.0.0.1")):
            return
        path = self.path_of(url)
        if len(self.pages) >= JOURNEY_PAGES_MAX:
            return
        if self.per_path.get(path, 0) >= JOURNEY_VARIANTS_PER_PATH:
            return
        try:
            if page.evaluate("document.contentType") != "text/html":
                return
            html = page.content()
        except Exception:  # the journey moved on, or closed the page
            return
        self.loads += 1
        if self.add_html(f"journey GET {path}", html):
            self.per_path[path] = self.per_path.get(path, 0) + 1
            if audit:
                self.audit(page, path)

    def audit(self, page, path) -> None:
        if AXE is None:
            return
        try:
            results = AXE.run(page)
        except Exception:  # the journey moved on, or closed the page
            return
        self.axe_pages += 1
        for violation in results.response["violations"]:
            for node in violation["nodes"]:
                if (node.get("impact") or violation["impact"]) in AXE_BLOCKING:
                    target = " ".join(str(part) for part in node["target"])
                    self.axe_problems.append(
                        f"{path}: {violation['id']} at {target}: {node['html'][:160]}"
                    )


@pytest.fixture(scope="session")
def journey_pages():
    return JourneyPages()


@pytest.fixture
def new_context(new_context, journey_pages, request):
    """pytest-playwright's contexts (``context`` and ``page`` come from it), each
    page of which reports what it loads to ``journey_pages``. A module that runs
    axe-core on its pages itself (``AUDITS_ITS_OWN_PAGES``) is not audited again as
    its pages load: two runs of axe in one page at once fail ("Axe is already
    running"), which a loaded machine makes likely."""
    audit = not getattr(request.module, "AUDITS_ITS_OWN_PAGES", False)

    def make(**kwargs):
        context = new_context(**kwargs)
        context.on("page", lambda page: journey_pages.watch(page, audit=audit))
        return context

    return make


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
