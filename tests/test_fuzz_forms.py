"""Fuzzed public forms (issue 7, point 2): hostile text in every public form.

Each form gets generated submissions: mostly well-formed ones whose free text is
hostile (HTML and JavaScript payloads, unquoted-attribute breakers, template
syntax, control characters, RTL marks, NUL, emoji, very long strings), and some
wholly hostile ones (choices, addresses and web addresses too). For each:

- never a 5xx (the test client raises any exception a view lets through);
- every page that comes back, and for accepted input every page that shows what
  was stored (the status pages, the staff letter and nomination pages, the
  screening task page, the letter list, viewflow's queue and process pages, the
  directory and the member page) and every email queued in the outbox, carries
  the input only as text: no element, attribute, script or comment made of it
  (the payloads all carry the marker "XsSpRoBe" for this check), and the payloads
  never raw. Stored names come back escaped on the pages that show them, and
  verbatim in the emails' text part (plain text, not HTML-escaped). The staff
  CSV exports hold no cell a spreadsheet would run as a formula.

Each example runs in a savepoint that is rolled back, so every example starts
from the test's fixtures. ``FUZZ_EXAMPLES`` (an environment variable) scales
the number of examples; the counts printed at the end are the README's figures.
"""

import os
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import links
from applications.choices import CommunityOfPractice, Constituency, Language, PriorityArea
from applications.models import Letter, Nomination, Organisation
from notifications.models import OutboxMessage
from review.selectors import letter_open_task, nomination_open_task
from review.task_actions import task_assign

from . import factories
from .files import pdf_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SCALE = float(os.environ.get("FUZZ_EXAMPLES", "1"))


def fuzz(examples: int):
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# Hostile text --------------------------------------------------------------------

# Mixed case: no signed token or other text of ours holds it by chance.
MARKER = "XsSpRoBe"
MARKUP = [
    "<script>alert('XsSpRoBe')</script>",
    '"><img src=x onerror=alert("XsSpRoBe")>',
    "'><svg/onload=alert`XsSpRoBe`>",
    "<a href=\"javascript:alert('XsSpRoBe')\">link</a>",
    "</textarea></title><script>XsSpRoBe()</script>",
    "<XsSpRoBe>",
    "<!--XsSpRoBe-->",
    '<iframe srcdoc="&lt;script&gt;XsSpRoBe()&lt;/script&gt;">',
    "<style>*{background:url(XsSpRoBe)}</style>",
]
# Breaks out of an attribute written without quotes; escaping alone does not help.
UNQUOTED = " autofocus onfocus=alert(XsSpRoBe) x="
OTHER = [
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u2066",  # left-to-right isolate
    "\u200b",  # zero width space
    "\ufeff",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\u2028",
    "\t",
    "😀",
    "👩🏽‍⚕️",
    "𝕏",
    "ﷺ",
    "Z̴̙̤̞",
    "نص عربي",
    "עברית",
    "日本語",
    "{{ request.user }}",
    "{% debug %}",
    "%(name)s",
    "%s",
    "{0}",
    "' OR '1'='1' --",
    "\\",
    "../../etc/passwd",
    '=HYPERLINK("http://x","y")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1-2",
    "&amp;&lt;",
]
FRAGMENTS = MARKUP + [UNQUOTED] + OTHER
CHARACTERS = st.characters(codec="utf-8")

pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(CHARACTERS, min_size=1, max_size=12))


def accepted_text(max_len: int):
    """Hostile text that the form should take: no NUL, not blank, not too long."""
    return (
        st.lists(pieces, min_size=1, max_size=5)
        .map(lambda parts: "".join(parts).replace("\x00", "")[:max_len])
        .filter(lambda text: text.strip() and len(text.strip()) <= max_len)
    )


def hostile_text(max_len: int):
    """Anything: NUL, blank, too long, or the accepted kind."""
    too_long = st.integers(max_len + 1, max_len + 3000).map(
        lambda n: (MARKUP[0] * (n // len(MARKUP[0]) + 1))[:n]
    )
    return st.one_of(
        accepted_text(max_len),
        st.lists(st.one_of(pieces, st.just("\x00")), max_size=6).map("".join),
        too_long,
        st.just(" \t\r\n"),
    )


EMAILS = [
    "ana@example.org",
    "\"<script>alert('XsSpRoBe')</script>\"@example.org",  # a valid, quoted local part
    "o'hara+XsSpRoBe@example.org",
    '"><img/src=x/onerror=XsSpRoBe>"@example.org',
]
URLS = [
    "https://example.org/\"><script>alert('XsSpRoBe')</script>",
    "https://example.org/?q=<svg/onload=alert`XsSpRoBe`>",
    "example.org/path'><XsSpRoBe>",
    "https://xn--80ak6aa92e.example/%3Cscript%3EXsSpRoBe%3C/script%3E",
]


def valid_email():
    return st.one_of(st.sampled_from(EMAILS), st.emails())


def choice(values):
    return st.sampled_from([str(value) for value in values])


@st.composite
def letter_form(draw):
    """A letter as the public form posts it: 3 in 4 meant to be taken."""
    well_formed = draw(st.integers(0, 3)) > 0
    text = accepted_text if well_formed else hostile_text

    def pick(valid, max_len):
        return draw(valid if well_formed else st.one_of(valid, hostile_text(max_len)))

    data = {
        "organisation_name": draw(text(200)),
        "acronym": draw(st.one_of(st.just(""), text(30))),
        "constituency": pick(choice(Constituency.values), 40),
        "country": pick(st.sampled_from(["MX", "FR", "KE", "IN"]), 2),
        "website": pick(st.one_of(st.just(""), st.sampled_from(URLS)), 200),
        "contact_name": draw(text(150)),
        "contact_role": draw(text(150)),
        "contact_email": pick(valid_email(), 254),
        "language": pick(choice(Language.values), 2),
        "care_work": draw(text(5000)),
        "motivation": draw(text(5000)),
        "priority_areas": draw(
            st.lists(
                pick_strategy(choice(PriorityArea.values), well_formed), min_size=1, max_size=3
            )
        ),
        "consent_privacy": "on",
        "homepage": "",
    }
    if draw(st.booleans()):
        data["consent_public_listing"] = "on"
    return data


def pick_strategy(valid, well_formed):
    return valid if well_formed else st.one_of(valid, hostile_text(40))


# Checking what comes back --------------------------------------------------------

TEXT_ATTRIBUTES = {"value", "title", "alt", "placeholder", "aria-label", "content", "href"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcdoc"}


class _Injected(HTMLParser):
    """Elements, attributes, scripts or comments made of user input: every
    payload carries MARKER where the markup it would inject has effect."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        if MARKER.lower() in tag:  # the parser gives names in lower case
            self.found.append(f"element <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name == "srcdoc":
                # A document of its own (an email preview): checked as one.
                inner = _Injected()
                inner.feed(value)
                inner.close()
                self.found.extend(f"in srcdoc: {found}" for found in inner.found)
                continue
            if MARKER.lower() in name or (
                MARKER in value and name not in TEXT_ATTRIBUTES and not name.startswith("data-")
            ):
                self.found.append(f"attribute {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith(
                ("javascript:", "vbscript:", "data:text")
            ):
                self.found.append(f"{name}={value!r} on <{tag}>")
        self.in_script = tag in ("script", "style")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.in_script = False

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and MARKER in data:
            self.found.append(f"script or style holding {data[:60]!r}")

    def handle_comment(self, data):
        if MARKER in data:
            self.found.append(f"comment {data[:60]!r}")


def _text_of(html: str) -> str:
    parts = []

    class Text(HTMLParser):
        def handle_data(self, data):
            parts.append(data)

    Text(convert_charrefs=True).feed(html)
    return "".join(parts)


def _squeezed(text: str) -> str:
    return "".join(text.split())


class Seen:
    """What one test checked, for the printed figures."""

    def __init__(self, form: str):
        self.form = form
        self.examples = self.accepted = self.pages = self.emails = 0

    def report(self):
        print(
            f"\nfuzz {self.form}: examples={self.examples} accepted={self.accepted} "
            f"pages_checked={self.pages} emails_checked={self.emails}"
        )


def check_html(html: str, inputs, *, shown=(), where=""):
    """No markup from ``inputs`` in ``html``; each of ``shown`` (stored values the
    page displays) is there, escaped."""
    parser = _Injected()
    parser.feed(html)
    parser.close()
    assert not parser.found, f"{where}: {parser.found}"
    for value in inputs:
        for fragment in MARKUP:
            if fragment in value:
                assert fragment not in html, f"{where}: raw {fragment!r}"
    for value in shown:
        assert escape(value) in html, f"{where}: {value!r} not shown escaped"


def check_page(client, url, inputs, seen, *, shown=(), status=200, query=None):
    response = client.get(url, query)
    assert response.status_code == status, f"{url}: {response.status_code}"
    check_html(response.content.decode(), inputs, shown=shown, where=url)
    seen.pages += 1
    return response


def check_response(response, inputs, seen):
    """The direct answer to a POST: never 5xx, and safe if it is a page."""
    assert response.status_code < 500
    if response.get("Content-Type", "").startswith("text/html"):
        check_html(response.content.decode(), inputs, where="POST answer")
        seen.pages += 1


def check_outbox(obj, inputs, seen, *, verbatim=None):
    """The emails queued about ``obj``: a one-line subject, HTML part escaped, text
    part plain. ``verbatim``: {(event, audience): values the email shows}, as they
    are in the text part, as text in the HTML part."""
    messages = OutboxMessage.objects.filter(
        object_type=obj._meta.label_lower, object_id=obj.pk
    ).order_by("pk")
    assert messages, f"no email queued for {obj}"
    for message in messages:
        assert "\n" not in message.subject and "\r" not in message.subject
        check_html(message.body_html, inputs, where=f"email {message.event} (HTML)")
        html_text = _squeezed(_text_of(message.body_html))
        for value in (verbatim or {}).get((message.event, message.audience), ()):
            assert value in message.body_text, f"{message.event}: {value!r} not in the text"
            assert _squeezed(value) in html_text, f"{message.event}: {value!r} not in the HTML"
        seen.emails += 1


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_csv(client, url, seen):
    """A staff export: no cell that a spreadsheet would run as a formula."""
    import csv
    import io

    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], url
    seen.pages += 1


@contextmanager
def example():
    """One example: its own clean state (a savepoint rolled back, an empty page
    cache), so that what it stored does not leak into the next."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# Fixtures -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    settings.RATE_LIMIT_PUBLIC_FORMS = "100000/m"


@pytest.fixture
def staff(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


def _screening_page(letter, reviewer) -> str:
    task = letter_open_task(letter=letter, node_name="screen")
    task_assign(task=task, user=reviewer)
    return f"/review/letter/{task.process_id}/screen/{task.pk}/execute/"


def _letter_pages(client, staff, reviewer, letter, inputs, seen):
    """Every page that shows a letter's stored text."""
    names = [letter.organisation_name]
    check_page(client, links.status_path(letter), inputs, seen, shown=names)
    check_page(staff, reverse("review:letter_detail", args=[letter.pk]), inputs, seen, shown=names)
    check_page(staff, reverse("review:letter_list"), inputs, seen)
    search = {"q": letter.organisation_name[:20]}
    check_page(staff, reverse("review:letter_list"), inputs, seen, query=search)
    check_page(staff, reverse("letter:queue"), inputs, seen, shown=names)
    check_csv(staff, reverse("review:export_letters"), seen)
    check_page(staff, f"/review/letter/{letter.process.pk}/", inputs, seen)
    if letter_open_task(letter=letter, node_name="screen"):
        check_page(staff, _screening_page(letter, reviewer), inputs, seen, shown=names)


def _inputs(data: dict) -> list[str]:
    values = []
    for value in data.values():
        values.extend(value if isinstance(value, list) else [value])
    return [value for value in values if isinstance(value, str)]


# The letter form ------------------------------------------------------------------


def test_letter_form(staff, reviewer):
    seen = Seen("letter form /apply/")

    @fuzz(20)
    @given(data=letter_form())
    def run(data):
        seen.examples += 1
        inputs = _inputs(data)
        with example():
            client = Client()
            response = client.post(reverse("applications:letter_create"), data)
            check_response(response, inputs, seen)
            if response.status_code != 302:
                return
            seen.accepted += 1
            letter = Letter.objects.latest("pk")
            received = check_page(client, response["Location"], inputs, seen)
            assert escape(letter.organisation_name) in received.content.decode()
            _letter_pages(client, staff, reviewer, letter, inputs, seen)
            check_outbox(
                letter,
                inputs,
                seen,
                verbatim={
                    ("letter_submitted", "applicant"): [
                        letter.contact_name,
                        letter.organisation_name,
                    ]
                },
            )

    run()
    seen.report()


def test_status_page_edit(staff, reviewer, make_letter):
    seen = Seen("status page edit /letters/<token>/edit/")
    letter = make_letter("changes_requested")
    token = links.status_token(letter)
    url = reverse("applications:letter_edit", args=[token])
    assert Client().get(url).status_code == 200

    @fuzz(12)
    @given(data=letter_form())
    def run(data):
        seen.examples += 1
        inputs = _inputs(data)
        with example():
            client = Client()
            response = client.post(url, {**data, "consent_privacy": "on"})
            check_response(response, inputs, seen)
            if response.status_code != 302:
                return
            seen.accepted += 1
            stored = Letter.objects.get(pk=letter.pk)
            assert stored.status == "submitted"
            _letter_pages(client, staff, reviewer, stored, inputs, seen)
            check_outbox(stored, inputs, seen)

    run()
    seen.report()


def test_withdraw_form(staff, make_letter):
    seen = Seen("withdraw /letters/<token>/withdraw/")
    letter = make_letter("submitted", organisation_name="<script>alert('XsSpRoBe')</script> Red")

    @fuzz(12)
    @given(
        reason=hostile_text(2000),
        confirm=st.sampled_from(["on", "", "<XsSpRoBe>"]),
        honeypot=st.sampled_from(["", "", "", "<script>XsSpRoBe()</script>"]),
    )
    def run(reason, confirm, honeypot):
        seen.examples += 1
        inputs = [reason, confirm, honeypot]
        with example():
            client = Client()
            url = reverse("applications:letter_withdraw", args=[links.status_token(letter)])
            response = client.post(
                url, {"reason": reason, "confirm": confirm, "homepage": honeypot}
            )
            check_response(response, inputs, seen)
            assert response.status_code == 302
            stored = Letter.objects.get(pk=letter.pk)
            page = check_page(client, response["Location"], inputs, seen)
            check_html(page.content.decode(), inputs, shown=[stored.organisation_name])
            if stored.status != "withdrawn":
                return
            seen.accepted += 1
            check_page(staff, reverse("review:letter_detail", args=[letter.pk]), inputs, seen)
            check_page(staff, f"/review/letter/{letter.process.pk}/", inputs, seen)
            check_outbox(stored, inputs, seen)

    run()
    seen.report()


def test_status_link_request(make_letter):
    seen = Seen("status link request /letters/link/")
    make_letter("submitted", contact_email="known@example.org")

    @fuzz(25)
    @given(email=st.one_of(valid_email(), hostile_text(254), st.just("known@example.org")))
    def run(email):
        seen.examples += 1
        with example():
            client = Client()
            response = client.post(
                reverse("applications:status_link_request"), {"email": email, "homepage": ""}
            )
            check_response(response, [email], seen)
            if response.status_code == 302:
                seen.accepted += 1
                check_page(client, response["Location"], [email], seen)

    run()
    seen.report()


# The member onboarding checklist --------------------------------------------------


@st.composite
def onboarding_form(draw):
    well_formed = draw(st.integers(0, 3)) > 0
    text = accepted_text if well_formed else hostile_text
    contacts = draw(
        st.lists(
            valid_email() if well_formed else st.one_of(valid_email(), hostile_text(60)),
            min_size=1,
            max_size=4,
        )
    )
    data = {
        "name": draw(text(200)),
        "description": draw(text(2000)),
        "website": draw(
            st.one_of(st.just(""), st.sampled_from(URLS))
            if well_formed
            else st.one_of(st.sampled_from(URLS), hostile_text(200))
        ),
        "contacts": "\n".join(contacts),
        "communities": draw(
            st.lists(st.sampled_from([*CommunityOfPractice.values, "<XsSpRoBe>"]), max_size=2)
        ),
        "brand_manual_acknowledged": "on",
        "homepage": "",
    }
    if draw(st.integers(0, 3)):
        data["public_listing"] = "on"
    return data


def test_member_onboarding_checklist(staff, make_letter):
    seen = Seen("onboarding checklist /members/onboarding/<token>/")
    letter = make_letter("approved")
    url = reverse("member_onboarding", args=[links.onboarding_token(letter)])

    @fuzz(12)
    @given(data=onboarding_form())
    def run(data):
        seen.examples += 1
        inputs = _inputs(data)
        with example():
            client = Client()
            response = client.post(url, data)
            check_response(response, inputs, seen)
            if response.status_code != 302:
                return
            seen.accepted += 1
            member = Organisation.objects.get(pk=letter.organisation_id)
            assert member.member_since
            check_page(client, url, inputs, seen, shown=[member.name])
            check_page(client, reverse("directory"), inputs, seen)
            check_page(client, reverse("directory"), inputs, seen, query={"q": member.name[:30]})
            listed = member.public_listing
            check_page(
                client,
                reverse("member_detail", args=[member.pk]),
                inputs,
                seen,
                shown=[member.name] if listed else (),
                status=200 if listed else 404,
            )
            check_page(staff, reverse("review:letter_detail", args=[letter.pk]), inputs, seen)
            check_csv(staff, reverse("review:export_members"), seen)
            check_outbox(Letter.objects.get(pk=letter.pk), inputs, seen)

    run()
    seen.report()


# Nominations ------------------------------------------------------------------------


@st.composite
def nomination_form(draw, members):
    well_formed = draw(st.integers(0, 3)) > 0
    text = accepted_text if well_formed else hostile_text
    organisation = draw(st.sampled_from(members))
    data = {
        "nominee_name": draw(text(150)),
        "nominee_email": draw(
            valid_email() if well_formed else st.one_of(valid_email(), hostile_text(254))
        ),
        "nominee_position": draw(text(150)),
        "nominee_organisation": str(organisation.pk)
        if well_formed
        else draw(st.one_of(st.just(str(organisation.pk)), hostile_text(20))),
        "nominee_language": draw(choice(Language.values)),
        "constituency": organisation.constituency
        if well_formed
        else draw(st.one_of(choice(Constituency.values), hostile_text(40))),
        "motivation": draw(text(5000)),
        "homepage": "",
    }
    return data


@pytest.fixture
def nominating(db, reviewer, approver):
    call = factories.call(seats={Constituency.CIVIL_SOCIETY: 2, Constituency.TRADE_UNION: 1})
    nominator = factories.member(name="<svg/onload=alert`XsSpRoBe`> Miembro")
    members = [
        factories.member(name="'><XsSpRoBe> Sindicato", constituency=Constituency.TRADE_UNION),
        factories.member(name="Red \u202eCuidados"),
    ]
    return call, nominator, members


def test_nomination_form(staff, reviewer, nominating):
    seen = Seen("nomination form /nominate/<token>/")
    call, nominator, members = nominating
    url = reverse("applications:nomination_create", args=[links.nominate_token(call, nominator)])

    @fuzz(12)
    @given(data=nomination_form(members))
    def run(data):
        seen.examples += 1
        inputs = _inputs(data)
        files = {"cv": upload("cv.pdf", pdf_bytes()), "endorsement": upload("e.pdf", pdf_bytes())}
        with example():
            client = Client()
            response = client.post(url, {**data, **files})
            check_response(response, inputs, seen)
            if response.status_code != 302:
                return
            seen.accepted += 1
            nomination = Nomination.objects.latest("pk")
            names = [nomination.nominee_name]
            check_page(client, response["Location"], inputs, seen, shown=names)
            consent = reverse(
                "applications:nomination_consent", args=[links.consent_token(nomination)]
            )
            check_page(Client(), consent, inputs, seen, shown=names)
            detail = reverse("review:nomination_detail", args=[nomination.pk])
            check_page(staff, detail, inputs, seen, shown=names)
            check_page(staff, reverse("review:nomination_list"), inputs, seen)
            check_outbox(
                nomination,
                inputs,
                seen,
                verbatim={("nomination_submitted", "nominee"): [nomination.nominee_name]},
            )
            # The nominee accepts through the consent form: the screening task shows it.
            accepted = Client().post(consent, {"answer": "accept", "homepage": ""})
            assert accepted.status_code == 302
            task = nomination_open_task(nomination=nomination, node_name="screen")
            task_assign(task=task, user=reviewer)
            check_page(
                staff,
                f"/review/nomination/{task.process_id}/screen/{task.pk}/execute/",
                inputs,
                seen,
                shown=names,
            )
            check_page(staff, reverse("nomination:queue"), inputs, seen)
            check_page(staff, f"/review/nomination/{task.process_id}/", inputs, seen)

    run()
    seen.report()


def test_nomination_form_saved_for_later(staff, nominating):
    """Hostile answers saved with "Save and continue later" (issue 13): never a 5xx,
    and the resumed form and its email show them escaped."""
    from applications.models import LetterDraft

    seen = Seen("nomination draft /nominate/draft/<token>/")
    call, nominator, members = nominating
    url = reverse("applications:nomination_create", args=[links.nominate_token(call, nominator)])

    @fuzz(8)
    @given(data=nomination_form(members))
    def run(data):
        seen.examples += 1
        inputs = _inputs(data)
        with example():
            client = Client()
            response = client.post(
                url, {**data, "cv": upload("cv.pdf", pdf_bytes()), "save_draft": "1"}
            )
            check_response(response, inputs, seen)
            if response.status_code != 302:
                return
            seen.accepted += 1
            check_page(client, response["Location"], inputs, seen)
            check_outbox(LetterDraft.objects.latest("pk"), inputs, seen)

    run()
    seen.report()


def test_consent_form(db):
    seen = Seen("consent form /consent/<token>/")
    nomination = factories.nomination_in_state(
        "awaiting_consent",
        call=factories.call(),
        nominee_name="\"><img src=x onerror=alert('XsSpRoBe')>",
        motivation="<script>alert('XsSpRoBe')</script>\n\u202eevil",
    )
    url = reverse("applications:nomination_consent", args=[links.consent_token(nomination)])
    stored = [nomination.nominee_name, nomination.motivation]

    @fuzz(20)
    @given(answer=st.one_of(st.sampled_from(["accept", "decline"]), hostile_text(40)))
    def run(answer):
        seen.examples += 1
        with example():
            client = Client()
            response = client.post(url, {"answer": answer, "homepage": ""})
            check_response(response, [answer, *stored], seen)
            if response.status_code == 302:
                seen.accepted += 1
                check_page(client, url, [answer, *stored], seen, shown=[nomination.nominee_name])

    run()
    seen.report()


def test_nomination_link_request(db):
    seen = Seen("nomination link request /calls/<id>/link/")
    call = factories.call()
    factories.member(contact_email="contact@member.example.org")
    url = reverse("applications:nomination_link_request", args=[call.public_id])

    @fuzz(25)
    @given(email=st.one_of(valid_email(), hostile_text(254), st.just("contact@member.example.org")))
    def run(email):
        seen.examples += 1
        with example():
            client = Client()
            response = client.post(url, {"email": email, "homepage": ""})
            check_response(response, [email], seen)
            if response.status_code == 302:
                seen.accepted += 1
                assert urlsplit(response["Location"]).path == call.get_absolute_url()
                check_page(client, response["Location"], [email], seen)

    run()
    seen.report()


def test_directory_search(db):
    """The directory's search box (a GET form): the query comes back escaped."""
    seen = Seen("directory search /members/?q=")
    factories.member(name="<script>alert('XsSpRoBe')</script> Red", public_listing=True)

    @fuzz(25)
    @given(q=hostile_text(200), region=st.one_of(st.just(""), hostile_text(20)))
    def run(q, region):
        seen.examples += 1
        with example():
            response = Client().get(reverse("directory"), {"q": q, "region": region})
            assert response.status_code == 200
            check_html(response.content.decode(), [q, region], where="/members/")
            seen.pages += 1
            seen.accepted += 1

    run()
    seen.report()


def test_the_checker_finds_injected_markup():
    """The check itself: it finds each payload when a page shows it raw, and not
    when the page shows it escaped (also inside an email preview's srcdoc)."""
    for fragment in MARKUP + [UNQUOTED]:
        raw = f"<p>{fragment}</p><input value={fragment}>"
        with pytest.raises(AssertionError):
            check_html(raw, [fragment])
        check_html(f'<p>{escape(fragment)}</p><input value="{escape(fragment)}">', [fragment])
        email = f"<p>{escape(fragment)}</p>"
        check_html(f'<iframe sandbox srcdoc="{escape(email)}"></iframe>', [fragment])
    for fragment in MARKUP:
        with pytest.raises(AssertionError):
            check_html(f'<iframe sandbox srcdoc="{escape(f"<p>{fragment}</p>")}"></iframe>', [])


# The Secretariat's texts and the answers to its questions (issue 15) ---------------


@st.composite
def secretariat_wording(draw):
    """A subject and body as a lead might type them, hostile: mostly with the
    mandatory link (so that some are saved), placeholders, template syntax."""
    well_formed = draw(st.integers(0, 3)) > 0
    valid = st.sampled_from(["{organisation}", "{name}", "{status_link}", "{reason}"])
    invalid = st.sampled_from(["{{ organisation }}", "{organisation.x}", "{% load static %}"])
    placeholders = valid if well_formed else st.one_of(valid, invalid)
    text = (
        accepted_text(2000).map(lambda t: t.replace("{", "(").replace("}", ")"))
        if well_formed
        else pieces
    )
    body = draw(st.lists(st.one_of(text, placeholders), min_size=1, max_size=6).map("".join))
    if well_formed or draw(st.booleans()):
        body += "\n{status_link}"
    if well_formed:
        one_line = accepted_text(150).map(
            lambda t: " ".join(t.replace("{", "(").replace("}", ")").split()) or "Asunto"
        )
        subject = draw(st.one_of(one_line, one_line.map(lambda t: t + " {organisation}")))
    else:
        subject = draw(st.one_of(hostile_text(300), placeholders))
    return subject, body


def test_secretariat_texts(lead, reviewer, staff):
    """Hostile wordings of an email and of a page text, typed into the Texts area:
    never a 5xx; refused ones say why; saved ones reach the next applicant's email
    and the home page as text only."""
    from applications.texts.pages import PAGES
    from notifications.texts import email_spec

    seen = Seen("Secretariat's texts /staff/letters/texts/")
    spec = email_spec("letter_submitted", "applicant")
    email_url = reverse("review:text_email", args=["letter_submitted", "applicant"])
    page_url = reverse("review:text_page", args=["home_intro"])
    defaults = {}
    for language in ("es", "en", "fr"):
        defaults[f"subject_{language}"], defaults[f"body_{language}"] = spec.default(language)
    page_defaults = {
        f"body_{language}": PAGES["page/home_intro"].default(language)[1]
        for language in ("es", "en", "fr")
    }

    @fuzz(20)
    @given(wording=secretariat_wording(), page_text=hostile_text(3000), preview=st.booleans())
    def run(wording, page_text, preview):
        seen.examples += 1
        subject, body = wording
        inputs = [subject, body, page_text]
        with example():
            client = Client()
            client.force_login(lead)
            action = {"preview": "1"} if preview else {"save": "1"}
            data = {**defaults, "subject_es": subject, "body_es": body, **action}
            response = client.post(email_url, data)
            check_response(response, inputs, seen)
            page = client.post(page_url, {**page_defaults, "body_es": page_text, **action})
            check_response(page, inputs, seen)
            check_page(client, reverse("review:text_list"), inputs, seen)
            check_page(client, email_url, inputs, seen)
            home = Client()
            home.cookies["django_language"] = "es"
            check_page(home, "/", inputs, seen)
            if response.status_code != 302:
                return
            seen.accepted += 1
            applied = Client().post(reverse("applications:letter_create"), factories.form_data())
            assert applied.status_code == 302
            letter = Letter.objects.latest("pk")
            check_outbox(letter, inputs, seen)

    run()
    seen.report()


def test_letter_form_answers(lead, staff, reviewer):
    """Hostile answers to the Secretariat's extra questions: never a 5xx; accepted
    ones appear as text only on every page and export that shows them."""
    from applications.questions import services as questions

    seen = Seen("letter form extra questions /apply/")
    common = {"label_es": "P", "label_en": "Q", "label_fr": "Q", "position": 1}
    choices = [
        {"key": "a", "label": {"es": "<b>A</b>", "en": "<i>A</i>", "fr": "A"}},
        {"key": "b", "label": {"es": "B", "en": '"><XsSpRoBe>', "fr": "B"}},
    ]
    asked = [
        questions.question_save(
            data={
                **common,
                "target": "letter",
                "kind": kind,
                "choices": choices,
                "required": True,
                "label_en": label,
            },
            by=lead,
        )
        for kind, label in (
            ("short_text", "<script>alert('XsSpRoBe')</script>"),
            ("long_text", "Long"),
            ("one_choice", "One"),
            ("several_choices", "Several"),
        )
    ]

    @st.composite
    def answers_typed(draw):
        if draw(st.integers(0, 3)):
            return (
                draw(accepted_text(500)),
                draw(accepted_text(5000)),
                draw(st.sampled_from(["a", "b"])),
                draw(st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=2, unique=True)),
            )
        return (
            draw(hostile_text(500)),
            draw(hostile_text(5000)),
            draw(st.one_of(st.sampled_from(["a", "b"]), hostile_text(20))),
            draw(st.lists(st.one_of(st.sampled_from(["a", "b"]), hostile_text(20)), max_size=3)),
        )

    @fuzz(12)
    @given(data=letter_form(), typed=answers_typed())
    def run(data, typed):
        short, long, one, several = typed
        seen.examples += 1
        answers = {
            f"q_{asked[0].pk}": short,
            f"q_{asked[1].pk}": long,
            f"q_{asked[2].pk}": one,
            f"q_{asked[3].pk}": several,
        }
        inputs = _inputs(data) + [short, long, one, *several]
        with example():
            client = Client()
            response = client.post(reverse("applications:letter_create"), {**data, **answers})
            check_response(response, inputs, seen)
            if response.status_code != 302:
                return
            seen.accepted += 1
            letter = Letter.objects.latest("pk")
            assert len(letter.answers) == 4
            _letter_pages(client, staff, reviewer, letter, inputs, seen)
            check_page(
                staff,
                reverse("review:letter_detail", args=[letter.pk]),
                inputs,
                seen,
                # Shown as typed (line breaks become <br>: those are left out here).
                shown=[
                    answer["text"]["en"]
                    for answer in letter.answers[:2]
                    if not set(answer["text"]["en"]) & set("\r\n\u2028\u2029\x85\x0b\x0c")
                ],
            )
            check_outbox(letter, inputs, seen)

    run()
    seen.report()
