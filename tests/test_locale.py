"""Dates, numbers and country names in the reader's language: the visitor's on public
pages (chosen by the browser's Accept-Language or the header's switch), the recipient's
in emails, whatever language the process that renders them happens to run in.

The expected texts are written out by hand, not computed with Django's formatting, so
that a page formatted in the wrong language (or a format mistaken for another) fails.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from applications.links import status_path
from applications.models import Letter, Organisation
from applications.nominations.services import call_invitations_send
from notifications.models import OutboxMessage
from review.reminders import deadline_reminders_send
from tests import factories
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

LANGUAGES = ("es", "en", "fr")
# Germany: the three names differ, and none is spelt like the country's own name.
COUNTRY = {"es": "Alemania", "en": "Germany", "fr": "Allemagne"}
SUBMITTED_AT = "2026-03-12 14:30Z"
# DATETIME_FORMAT of each language for SUBMITTED_AT (TIME_ZONE is UTC).
SUBMITTED = {
    "es": "12 de marzo de 2026 a las 14:30",
    "en": "March 12, 2026, 2:30 p.m.",
    "fr": "12 mars 2026 14:30",
}
MONTH = {"es": "marzo", "en": "March", "fr": "mars"}
# YEAR_MONTH_FORMAT for a member since March 2025.
MEMBER_SINCE = {"es": "marzo de 2025", "en": "March 2025", "fr": "mars 2025"}
# filesizeformat of a 1,536-byte file: decimal comma in Spanish and French, "Kio" in French.
SIZE = {"es": "1,5\xa0KB", "en": "1.5\xa0KB", "fr": "1,5\xa0Kio"}


def others(table, language):
    return [text for code, text in table.items() if code != language]


def page(client, url, language) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    return response.content.decode()


def padded_pdf(size: int) -> bytes:
    """A real PDF of exactly ``size`` bytes (a comment pads it after the header)."""
    pdf = pdf_bytes()
    header, rest = pdf.split(b"\n", 1)
    padding = size - len(pdf) - 2
    return header + b"\n%" + b"x" * padding + b"\n" + rest


@pytest.fixture
def letter_from_germany(client, reviewer):
    """A letter sent through the public form at SUBMITTED_AT, with a 1.5 KB signed letter."""
    data = form_data(organisation_name="Netzwerk Pflege", country="DE", language="es")
    data["signed_letter"] = upload("brief.pdf", padded_pdf(1536))
    with time_machine.travel(SUBMITTED_AT, tick=False):
        response = client.post(reverse("applications:letter_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = Letter.objects.get(organisation_name="Netzwerk Pflege")
    assert letter.attachments.get().size == 1536
    return letter


@pytest.mark.parametrize("language", LANGUAGES)
def test_status_page_dates_and_file_sizes_follow_the_visitor(client, letter_from_germany, language):
    # The letter was written in Spanish; the person reading its status page chose
    # ``language`` (a colleague, or the same person on another browser).
    html = page(client, status_path(letter_from_germany), language)
    assert SUBMITTED[language] in html
    assert 'datetime="2026-03-12T14:30:00Z"' in html
    for wrong in others(MONTH, language):
        assert wrong not in html
    assert SIZE[language] in html
    for wrong in others(SIZE, language):
        assert wrong not in html


def test_letter_form_lists_countries_in_the_visitors_language(client):
    for language in LANGUAGES:
        html = page(client, reverse("applications:letter_create"), language)
        assert f'<option value="DE">{COUNTRY[language]}</option>' in html
        # Sorted by the name the visitor reads: Germany after France in English,
        # Alemania before Francia and Allemagne before France.
        germany_first = html.index('value="DE"') < html.index('value="FR"')
        assert germany_first == (language != "en")


@pytest.fixture
def german_member():
    cache.clear()  # the directory page is cached per language: start from nothing
    return Organisation.objects.create(
        name="Netzwerk Pflege",
        constituency="civil_society",
        country="DE",
        contact_email="info@netzwerk.example.org",
        language="es",
        public_listing=True,
        member_since=date(2025, 3, 1),
        priority_areas=["knowledge_data"],
    )


def test_directory_and_member_page_follow_the_visitor(client, german_member):
    # In turn, so that a page cached for one language is never served in another.
    for language in [*LANGUAGES, *LANGUAGES]:
        html = page(client, reverse("directory"), language)
        assert f"<td>{COUNTRY[language]}</td>" in html  # the member's row
        assert f'<option value="DE">{COUNTRY[language]}</option>' in html  # the filter
        for wrong in others(COUNTRY, language):
            assert wrong not in html

        html = page(client, reverse("member_detail", args=[german_member.pk]), language)
        assert COUNTRY[language] in html
        assert MEMBER_SINCE[language] in html
        for wrong in others(COUNTRY, language) + others(MONTH, language):
            assert wrong not in html


def test_staff_email_names_the_country_in_the_staff_language(
    client, reviewer, settings, letter_from_germany
):
    # The applicant wrote in Spanish; the secretariat reads French.
    settings.STAFF_LANGUAGE = "fr"
    client.post(
        reverse("applications:letter_create"),
        form_data(organisation_name="Netzwerk Sorge", country="DE", language="es"),
    )
    letter = Letter.objects.get(organisation_name="Netzwerk Sorge")
    to_staff = OutboxMessage.objects.get(
        event="letter_submitted", recipient=reviewer.email, object_id=letter.pk
    )
    assert "(Allemagne)" in to_staff.body_text
    assert to_staff.language == "fr"


@pytest.mark.parametrize("staff_language", LANGUAGES)
def test_overdue_reminder_gives_the_due_date_in_the_staff_language(
    make_letter, reviewer, settings, staff_language
):
    settings.STAFF_LANGUAGE = staff_language
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        make_letter("submitted")
    days = settings.REVIEW_DEADLINE_DAYS["screen"]
    due = {
        "es": f"{1 + days} de marzo de 2026",
        "en": f"March {1 + days}, 2026",
        "fr": f"{1 + days} mars 2026",
    }
    later = datetime(2026, 3, 1, 10, tzinfo=UTC) + timedelta(days=days)
    # The worker runs in the site's default language (Spanish in production), not in
    # the recipient's: the email must not depend on it.
    for worker_language in LANGUAGES:
        OutboxMessage.objects.filter(event="task_overdue").delete()
        with time_machine.travel(later, tick=False), translation.override(worker_language):
            deadline_reminders_send(now=later + timedelta(days=LANGUAGES.index(worker_language)))
        body = OutboxMessage.objects.get(event="task_overdue").body_text
        assert due[staff_language] in body, body
        for wrong in others(MONTH, staff_language):
            assert wrong not in body


# A call opened on 1 March 2026 that closes 30 days later, at 03:00 in Mexico City.
CALL_CLOSES = {
    "es": "31 de marzo de 2026 a las 03:00",
    "en": "March 31, 2026, 3 a.m.",
    "fr": "31 mars 2026 03:00",
}


@pytest.fixture
def call_from_march():
    # Saved before it opens (09:14), so that the hourly job is the one that invites
    # (a call saved open invites at once, before the members below exist).
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        return factories.call(opens_in_days=0.01, closes_in_days=30)


def test_call_page_gives_the_closing_date_in_the_visitors_language(client, call_from_march):
    with time_machine.travel("2026-03-02 09:00Z", tick=False):
        for language in LANGUAGES:
            html = page(client, call_from_march.get_absolute_url(), language)
            assert CALL_CLOSES[language] in html
            for wrong in others(MONTH, language):
                assert wrong not in html


def test_call_invitations_give_the_closing_date_in_each_members_language(call_from_march):
    members = {language: factories.member(language=language) for language in LANGUAGES}
    with time_machine.travel("2026-03-01 10:00Z", tick=False), translation.override("es"):
        assert call_invitations_send() == len(LANGUAGES)
    for language, member in members.items():
        body = OutboxMessage.objects.get(event="call_opened", recipient=member.contact_email)
        assert CALL_CLOSES[language] in body.body_text, body.body_text
        for wrong in others(MONTH, language):
            assert wrong not in body.body_text
