"""Accessibility, measured in Chromium (issue 7, point 7).

- axe-core (the version pinned in package.json, from npm; ``make test`` runs
  ``npm ci``; axe-playwright-python only injects it) on every public page, in the
  states people meet (form errors shown, signed links valid and broken), and on the
  staff pages a reviewer works in: no serious or critical violation. Moderate and
  minor ones are counted, not refused (today: viewflow's login page has no <main>
  and no <h1>);
- the letter form and the status page's actions work with JavaScript off;
- the letter form can be completed with the keyboard alone, the focus is always
  visible, and "Skip to content" works;
- the letter form page weighs at most 150 KB, everything included.

The figures are printed on one line at the end of the module, e.g.
``accessibility: axe_pages=31 serious_or_critical=0 moderate_or_minor=9 apply_page_kb=22.0``.

Runs against pytest-django's live server with moto's S3 and SES from
``tests/conftest.py``; letters start from the real services (``make_letter``).
"""

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from applications.links import (
    consent_token,
    nominate_token,
    nomination_status_token,
    onboarding_token,
    status_path,
    status_token,
)
from applications.models import Letter
from tests.access_world import onboarding_document

from .. import factories
from ..files import pdf_bytes

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# axe-playwright-python bundles axe-core 4.4.3 (2022); ours is current, from npm.
AXE_VERSION = json.loads((ROOT / "package.json").read_text())["devDependencies"]["axe-core"]
AXE = Axe.from_file(str(AXE_JS)) if AXE_JS.exists() else None
BLOCKING = {"serious", "critical"}
# Every page here is audited by the test that loads it, so the journeys' collector
# (tests/e2e/conftest.py) keeps its HTML for the Nu HTML Checker but does not run axe again.
AUDITS_ITS_OWN_PAGES = True
PAGE_WEIGHT_LIMIT = 150 * 1024

# Violations inside viewflow's own markup that we do not override, narrowly: rule id,
# a CSS selector that axe reports for the node, and why we leave it. Empty: the two
# serious ones viewflow's task pages had are fixed on our side, its grey menu icons
# (#9e9e9e, 2.7:1) by review/static/review/task.css, its snackbar, aria-hidden while
# it shows a message with a link, by templates/viewflow/includes/snackbar.html.
VIEWFLOW_EXCEPTIONS: list[tuple[str, str, str]] = []


@pytest.fixture(scope="module")
def figures(request):
    """The module's figures, printed on one line once its tests have run."""
    found = {}
    yield found
    if not found:
        return
    line = " ".join(f"{name}={value}" for name, value in found.items())
    print(f"\naccessibility: {line}")


def settle(page):
    """Wait until the page has loaded and its network is quiet. viewflow's pages keep a
    connection open at times, so quiet for a moment is enough there."""
    page.wait_for_load_state("load")
    try:
        page.wait_for_load_state("networkidle", timeout=3_000)
    except PlaywrightTimeoutError:
        pass


def run_axe(page, attempts=20):
    """axe-core on the page, once the run that the journeys' recorder (conftest.py)
    may have started on the same load has finished: axe runs one at a time."""
    for _ in range(attempts - 1):
        try:
            return AXE.run(page)
        except PlaywrightError as error:
            if "Axe is already running" not in str(error):
                raise
            page.wait_for_timeout(250)
    return AXE.run(page)


def axe_problems(page, allowed=()) -> tuple[list[str], int]:
    """The serious or critical axe violations of the page as it is now, one per node,
    and the number of lesser (moderate or minor) ones, which are only counted."""
    settle(page)
    assert AXE is not None, f"{AXE_JS} is missing: run `npm ci` (make test does)"
    results = run_axe(page)
    assert page.evaluate("axe.version") == AXE_VERSION
    problems, lesser = [], 0
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            impact = node.get("impact") or violation["impact"]
            if impact not in BLOCKING:
                lesser += 1
                continue
            target = " ".join(str(part) for part in node["target"])
            if any(rule == violation["id"] and where in target for rule, where, _ in allowed):
                continue
            problems.append(
                f"{violation['id']} ({impact}) at {target}: {node['html'][:160]}\n"
                f"    {node.get('failureSummary', '')}"
            )
    return problems, lesser


class Audit:
    """Runs axe on each page visited and keeps what it found, page by page."""

    def __init__(self, figures, allowed=()):
        self.figures, self.allowed, self.found = figures, allowed, {}

    def visit(self, page, url, name, *, status=200):
        response = page.goto(url)
        assert response is not None and response.status == status, (name, url, response)
        self.check(page, name)

    def check(self, page, name):
        problems, lesser = axe_problems(page, self.allowed)
        self.found[name] = problems
        self.figures["axe_core"] = AXE_VERSION
        for figure, value in (
            ("axe_pages", 1),
            ("serious_or_critical", len(problems)),
            ("moderate_or_minor", lesser),
        ):
            self.figures[figure] = self.figures.get(figure, 0) + value

    def assert_clean(self):
        report = "\n".join(
            f"{name}:\n  " + "\n  ".join(problems)
            for name, problems in self.found.items()
            if problems
        )
        assert not report, f"serious or critical axe violations:\n{report}"


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/staff/letters/tasks/$"))


def open_and_take_task(page, base, letter):
    """From the staff letter page, open the letter's task and assign it to oneself."""
    page.goto(f"{base}/staff/letters/{letter.pk}/")
    take_open_task(page)


def take_open_task(page):
    """Follow the staff page's "Open task" link and assign the task to oneself."""
    page.get_by_role("link", name=re.compile(r"^Open task")).click()
    page.get_by_role("button", name="Take this task", exact=True).click()
    expect(page.get_by_role("button", name="Complete", exact=True)).to_be_visible()


def test_public_pages_have_no_serious_axe_violations(live_server, page, make_letter, figures):
    base = live_server.url
    audit = Audit(figures)
    submitted = make_letter("submitted")
    changes = make_letter("changes_requested")
    approved = make_letter("approved")
    member = make_letter("onboarded", organisation_name="Red de Cuidados Andina").organisation

    audit.visit(page, base + "/", "home")
    audit.visit(page, base + "/apply/", "letter form")
    page.get_by_role("button", name="Send the letter").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    audit.check(page, "letter form with errors")
    audit.visit(
        page,
        base + reverse("applications:letter_received", args=[status_token(submitted)]),
        "letter received",
    )
    audit.visit(page, base + status_path(submitted), "status page (submitted)")
    expect(page.get_by_role("button", name="Withdraw")).to_be_visible()
    audit.visit(page, base + status_path(changes), "status page (changes requested)")
    page.get_by_role("link", name="Edit and resubmit the letter").click()
    audit.check(page, "letter edit form")
    audit.visit(page, base + "/letters/link/", "status link request")
    page.get_by_role("button", name="Send me a link").click()
    audit.check(page, "status link request with errors")
    audit.visit(page, base + "/letters/not-a-valid-link/", "link problem", status=404)
    audit.visit(page, base + "/members/", "member directory")
    expect(page.get_by_role("link", name=member.name)).to_be_visible()
    audit.visit(page, base + reverse("member_detail", args=[member.pk]), "member page")
    onboarding_document()  # its list of documents and the manual's checkbox are audited too
    audit.visit(
        page,
        base + reverse("member_onboarding", args=[onboarding_token(approved)]),
        "onboarding checklist",
    )
    # Every field starts filled from the letter: empty one to see the errors.
    page.get_by_label("Short description for the directory").fill("")
    page.get_by_role("button", name="Complete onboarding").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    audit.check(page, "onboarding checklist with errors")
    audit.visit(page, base + "/no-such-page/", "404", status=404)
    audit.visit(page, base + "/accounts/login/", "login")
    audit.assert_clean()


def test_nomination_pages_have_no_serious_axe_violations(
    live_server, page, reviewer, approver, figures
):
    base = live_server.url
    audit = Audit(figures)
    call = factories.call()
    nominator = factories.member(name="Red Nominadora")
    nomination = factories.nomination_in_state(
        "awaiting_consent", call=call, reviewer=reviewer, approver=approver
    )

    audit.visit(page, base + reverse("applications:call_list"), "calls for nominations")
    audit.visit(
        page, base + reverse("applications:call_detail", args=[call.public_id]), "call page"
    )
    audit.visit(
        page,
        base + reverse("applications:nomination_create", args=[nominate_token(call, nominator)]),
        "nomination form",
    )
    # The form's own send button, not "Save and continue later" beside it.
    page.get_by_role("button", name="Send the nomination").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    audit.check(page, "nomination form with errors")
    audit.visit(
        page,
        base
        + reverse("applications:nomination_status", args=[nomination_status_token(nomination)]),
        "nomination status",
    )
    audit.visit(
        page,
        base + reverse("applications:nomination_consent", args=[consent_token(nomination)]),
        "nominee consent",
    )
    audit.visit(
        page,
        base + reverse("applications:nomination_consent", args=["not-a-valid-link"]),
        "nomination link problem",
        status=404,
    )
    audit.assert_clean()


def test_staff_pages_have_no_serious_axe_violations(
    live_server, page, new_page, make_letter, reviewer, approver, figures
):
    base = live_server.url
    audit = Audit(figures, allowed=VIEWFLOW_EXCEPTIONS)
    to_screen = make_letter("submitted", organisation_name="Red de Cuidados del Río")
    to_decide = make_letter("reviewed", organisation_name="Red de Cuidados del Mar")

    to_screen_nomination = factories.nomination_in_state(
        "submitted", call=factories.call(), reviewer=reviewer, approver=approver
    )

    log_in(page, base, "reviewer")
    audit.visit(page, base + reverse("review:task_inbox"), "staff task inbox")
    audit.visit(page, base + "/staff/letters/", "staff letter list")
    audit.visit(page, f"{base}/staff/letters/{to_screen.pk}/", "staff letter page")
    open_and_take_task(page, base, to_screen)
    audit.check(page, "screening task")
    page.get_by_role("radio", name="Ask the applicant for changes").check()
    page.get_by_label("Message to the applicant", exact=True).fill("Add your work plan.")
    page.get_by_role("button", name="Preview the email to the applicant").click()
    expect(
        page.get_by_role("heading", name="The applicant will receive this email")
    ).to_be_visible()
    audit.check(page, "screening task with email preview")

    audit.visit(
        page,
        base + reverse("review:nomination_detail", args=[to_screen_nomination.pk]),
        "staff nomination page",
    )
    take_open_task(page)
    audit.check(page, "nomination screening task")

    committee = new_page()
    log_in(committee, base, "approver")
    open_and_take_task(committee, base, to_decide)
    audit.check(committee, "decision task")
    audit.assert_clean()


@pytest.mark.parametrize("who", ["reviewer", "lead", "approver"])
def test_every_staff_page_of_the_navigation_has_no_serious_axe_violations(
    live_server, page, make_letter, request, who, figures
):
    """The login page, then every entry of the navigation the user is offered, as the
    Secretariat (a reviewer, and a lead who also edits texts, settings and extra
    questions) and the Committee (an approver) see it: 0 serious or critical."""
    from review.templatetags.staff_nav import navigation_for

    base = live_server.url
    audit = Audit(figures, allowed=VIEWFLOW_EXCEPTIONS)
    user = request.getfixturevalue(who)
    make_letter("submitted", organisation_name="Red de Cuidados del Valle")
    make_letter("reviewed", organisation_name="Red de Cuidados de la Sierra")
    make_letter("onboarded", organisation_name="Red de Cuidados del Lago")
    factories.nomination_in_state("submitted", call=factories.call())

    audit.visit(page, base + reverse("login"), "login")
    log_in(page, base, who)
    entries = navigation_for(user)
    assert len(entries) >= 3, entries
    for label, url in entries:
        audit.visit(page, base + url, f"{who}: {label}")
        # The page was reached from the navigation: its entry is there, marked current.
        current = page.locator("#staff-nav").get_by_role("link", name=str(label), exact=True)
        expect(current).to_have_attribute("aria-current", "page")
    audit.assert_clean()


def fill_letter(page, pdf_path):
    """Fill every required field of the letter form and attach a signed letter."""
    page.get_by_label(re.compile(r"^Organisation name")).fill("Red de Cuidados Sin JS")
    page.get_by_label(re.compile(r"^Constituency")).select_option("civil_society")
    page.get_by_label(re.compile(r"^Country")).select_option("PE")
    page.get_by_label(re.compile(r"^Contact person")).fill("Ana Quispe")
    page.get_by_label(re.compile(r"^Position of the contact person")).fill("Coordinadora")
    page.get_by_label(re.compile(r"^Contact email")).fill("ana@sin-js.example.org")
    page.get_by_role("radio", name="Español").check()
    page.get_by_label(re.compile(r"^The organisation's work on care")).fill("Cuidado infantil.")
    page.get_by_label(re.compile(r"^Motivation")).fill("Aprender de otras redes.")
    page.get_by_role("checkbox", name="Communication").check()
    page.get_by_label("Signed letter (optional)").set_input_files(pdf_path)
    page.get_by_role("checkbox", name=re.compile("^I have read the privacy notice")).check()


def test_letter_form_and_status_actions_work_without_javascript(
    live_server, new_context, make_letter, tmp_path
):
    base = live_server.url
    page = new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(15_000)
    page.goto("data:text/html,<title>off</title><script>document.title='on'</script>")
    expect(page).to_have_title("off")  # scripts really do not run

    # The letter form, with a PDF, up to the received page.
    pdf = tmp_path / "signed-letter.pdf"
    pdf.write_bytes(pdf_bytes("Signed without JavaScript"))
    page.goto(base + "/apply/")
    fill_letter(page, pdf)
    page.get_by_role("button", name="Send the letter").click()
    expect(page).to_have_url(re.compile(r"/letters/[^/]+/received/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: we have received your letter"
    )
    letter = Letter.objects.get(organisation_name="Red de Cuidados Sin JS")
    assert letter.attachments.get().original_name == "signed-letter.pdf"

    # The status page: the file is listed and the letter can be withdrawn.
    page.get_by_role("link", name="Follow the status of the letter").click()
    expect(page.get_by_role("link", name="signed-letter.pdf")).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("^Yes, withdraw our letter")).check()
    page.get_by_label("Reason (optional)").fill("We will apply next year.")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("main")).to_contain_text("Status: Withdrawn")
    letter.refresh_from_db()
    assert letter.status == "withdrawn"

    # A letter sent back for changes is edited and resubmitted from its status page.
    changes = make_letter("changes_requested", motivation="Primera versión.")
    page.goto(base + status_path(changes))
    page.get_by_role("link", name="Edit and resubmit the letter").click()
    page.get_by_label(re.compile(r"^Motivation")).fill("Segunda versión, con plan de trabajo.")
    page.get_by_role("button", name="Send the changes").click()
    expect(page.get_by_text("Thank you. Your letter was sent again for screening.")).to_be_visible()
    changes.refresh_from_db()
    assert (changes.status, changes.motivation) == (
        "submitted",
        "Segunda versión, con plan de trabajo.",
    )

    # Asking for a new status link, and switching language, are plain forms too.
    page.goto(base + "/letters/link/")
    page.get_by_label("The contact email given in your letter").fill(changes.contact_email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status").first).to_be_visible()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


# What the focused element shows: an outline (or a box-shadow), and the contrast of the
# outline's colour with what lies just outside it (WCAG 1.4.11 asks 3:1).
FOCUS_RING = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const opaque = (c) => { const v = rgb(c); return v.length === 3 || v[3] > 0.5; };
  const luminance = (c) => {
    const [r, g, b] = rgb(c).slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const width = parseFloat(style.outlineWidth) || 0;
  const offset = parseFloat(style.outlineOffset) || 0;
  const box = el.getBoundingClientRect();
  let x = box.left - offset - width / 2;
  if (x < 0) x = box.right + offset + width / 2;
  const y = box.top + box.height / 2;
  let behind = document.elementsFromPoint(x, y).find((e) => e !== el && !el.contains(e));
  let background = "rgb(255, 255, 255)";
  for (let e = behind; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (opaque(c)) { background = c; break; }
  }
  const ring = luminance(style.outlineColor), back = luminance(background);
  const [light, dark] = [Math.max(ring, back), Math.min(ring, back)];
  return {
    tag: el.tagName, id: el.id, name: el.name || "", inMain: !!el.closest("main"),
    outline: style.outlineStyle !== "none" && width >= 2,
    shadow: style.boxShadow !== "none",
    contrast: Math.round(((light + 0.05) / (dark + 0.05)) * 10) / 10,
    colours: style.outlineColor + " on " + background,
  };
}"""


def assert_focus_visible(page) -> dict:
    state = page.evaluate(FOCUS_RING)
    assert state["outline"] or state["shadow"], f"focus not visible on {state}"
    if state["outline"]:
        assert state["contrast"] >= 3, f"focus ring hard to see on {state}"
    return state


def tab_to(page, selector, *, key="Tab", limit=80):
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has the focus,
    checking on the way that every element the focus lands on shows a focus ring."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
        assert_focus_visible(page)
    raise AssertionError(f"{selector} never got the focus with {key}")


def test_letter_form_by_keyboard_alone(live_server, page, tmp_path):
    pdf = tmp_path / "keyboard.pdf"
    pdf.write_bytes(pdf_bytes("Sent with the keyboard"))
    # Playwright asks Chromium to hand file choosers over only once someone listens, and
    # it does not wait for the answer: a listener added by expect_file_chooser just before
    # the key press can lose that race, and the real dialog opens instead. Listening from
    # the start makes the hand-over certain long before the press.
    page.on("filechooser", lambda chooser: None)
    page.goto(live_server.url + "/apply/")

    # The first Tab reaches a visible "Skip to content" link; Enter skips the header.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 10, box
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/apply/#main$"))
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["inMain"], "after skipping, Tab lands in the main content"

    tab_to(page, "#id_organisation_name")
    page.keyboard.type("Red de Cuidados del Teclado")
    tab_to(page, "#id_constituency")
    page.keyboard.type("Trade")  # a closed select chooses by typing, as people do
    tab_to(page, "#id_country")
    page.keyboard.type("Peru")
    tab_to(page, "#id_contact_name")
    page.keyboard.type("Julia Mamani")
    tab_to(page, "#id_contact_role")
    page.keyboard.type("Secretaria")
    tab_to(page, "#id_contact_email")
    page.keyboard.type("julia@teclado.example.org")
    tab_to(page, "[name=language]")
    # The radio of the page's language (English) is checked already (issue 13), and Tab
    # lands on it; the arrows move to Español and back to English.
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_care_work")
    page.keyboard.type("Cuidado comunitario")
    tab_to(page, "#id_motivation")
    page.keyboard.type("Compartir lo aprendido.")
    # Back with Shift+Tab to finish the previous answer.
    tab_to(page, "#id_care_work", key="Shift+Tab")
    page.keyboard.press("End")
    page.keyboard.type(" de personas mayores.")
    tab_to(page, "[name=priority_areas][value=communication]")
    page.keyboard.press("Space")
    tab_to(page, "#id_signed_letter")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(pdf)
    tab_to(page, "#id_consent_privacy")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit].primary")
    page.keyboard.press("Enter")

    # (the browser keeps the "#main" of the skip link across the redirect)
    expect(page).to_have_url(re.compile(r"/letters/[^/]+/received/(#main)?$"))
    letter = Letter.objects.get(organisation_name="Red de Cuidados del Teclado")
    assert (letter.constituency, letter.country.code, letter.language) == (
        "trade_union",
        "PE",
        "en",
    )
    assert letter.care_work == "Cuidado comunitario de personas mayores."
    assert letter.priority_areas == ["communication"]
    assert letter.consent_privacy is True
    assert letter.attachments.get().original_name == "keyboard.pdf"


def test_letter_form_page_weight(live_server, new_context, figures):
    """Everything Chromium downloads to show /apply/ to a first-time visitor."""
    page = new_context().new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(live_server.url + "/apply/", wait_until="load")
    page.wait_for_load_state("networkidle")
    sizes = {response.url: len(response.body()) for response in responses}
    total = sum(sizes.values())
    figures["apply_page_kb"] = round(total / 1024, 1)
    assert any(url.endswith(".css") for url in sizes), sizes
    assert total <= PAGE_WEIGHT_LIMIT, f"/apply/ weighs {total} bytes: {sizes}"
