"""The Nu HTML Checker (vnu-jar from npm, on the machine's Java) over the pages the
tests render: each distinct page is kept once (per-request tokens taken out), and
the checker runs once over all of them (issue 16, item 11)."""

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# What differs between two requests of one page: CSRF tokens, CSP nonces, signed
# links and presigned URLs, idempotency keys.
_VOLATILE = re.compile(
    r'(value|nonce|content)="[A-Za-z0-9_\-:.]{20,}"|/[A-Za-z0-9_\-:.]{40,}/|[0-9a-f-]{36}'
)


class Pages:
    """Distinct HTML pages, by what they show."""

    def __init__(self):
        self.pages: dict[str, tuple[str, str]] = {}

    def add(self, name: str, response) -> None:
        if response.status_code >= 300 or "text/html" not in response.get("Content-Type", ""):
            return
        if getattr(response, "streaming", False):
            return
        html = response.content.decode()
        digest = hashlib.sha256(_VOLATILE.sub("", html).encode()).hexdigest()
        self.pages.setdefault(digest, (name, html))

    def add_html(self, name: str, html: str) -> bool:
        """A page as a browser holds it; False if it was already there."""
        digest = hashlib.sha256(_VOLATILE.sub("", html).encode()).hexdigest()
        if digest in self.pages:
            return False
        self.pages[digest] = (name, html)
        return True


def vnu_errors(pages: Pages, workdir: Path) -> list[str]:
    """The checker's errors, each with the page it is on."""
    java = shutil.which("java")
    assert java and VNU_JAR.exists(), f"java and {VNU_JAR} are needed: make test installs both"
    names = {}
    for n, (name, html) in enumerate(pages.pages.values()):
        path = workdir / f"page{n:04d}.html"
        path.write_text(html)
        names[path.name] = name
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(workdir)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = []
    for m in messages:
        if m.get("type") != "error":
            continue
        page = names.get(m.get("url", "").rsplit("/", 1)[-1], m.get("url"))
        extract = m.get("extract", "").strip()[:120]
        errors.append(f"{page} line {m.get('lastLine')}: {m['message']} [{extract}]")
    return errors


# Errors inside markup that is not ours, allowed narrowly: where (the route's start),
# what the checker says (its start), and whose markup it is. Everything else is ours.
NOT_OUR_MARKUP = [
    # viewflow 2.4's Material frontend (its templates, not overridden here).
    ("review/", "The heading “h", "viewflow: headings of its cards skip levels"),
    ("review/", "Bad value “navigation” for attribute “role” on element “ul”", "viewflow's pager"),
    ("review/", "CSS: “margin-botton”", "viewflow: a typo in its process page's style"),
    ("review/", "A “style” element in “body”", "viewflow's flow chart"),
    ("review/", "Element “div” not allowed as child of element “button”", "viewflow's buttons"),
    ("review/", "Bogus comment", "viewflow: `<!- todo` in its process page"),
    (
        "review/",
        "Attribute “aria-required” not allowed on element “div”",
        "viewflow: its Material select's anchor, in the queue's filter (seen in Chromium)",
    ),
    # Django's admin.
    ("admin/auth/user/", "Attribute “disabled” not allowed on element “div”", "Django's admin"),
    ("admin/auth/user/", "No “p” element in scope but a “p” end tag", "Django's admin"),
    ("admin/password_change/", "No “p” element in scope but a “p” end tag", "Django's admin"),
    (
        "admin/",
        "An “input” element with a “type” attribute whose value is “hidden” must not have an "
        "“autocomplete” attribute",
        "Django's admin: the hidden inputs of its inline formsets' management forms",
    ),
]


def ours_and_theirs(errors: list[str]) -> tuple[list[str], list[str]]:
    """The errors in our markup, and those in the markup listed above. Each error
    starts with its page's name, ``<who> <METHOD> <path>``."""
    ours, theirs = [], []
    for error in errors:
        route = error.split(" ", 2)[2].lstrip("/")
        allowed = any(
            route.startswith(where) and f": {what}" in error for where, what, _ in NOT_OUR_MARKUP
        )
        (theirs if allowed else ours).append(error)
    return ours, theirs
