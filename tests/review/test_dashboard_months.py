"""The dashboard's median days to decision and to onboarding, per month over the
last 12 months: computed by the database (PostgreSQL's percentile_cont, SQLite's
middle rows), a letter counted in the month of its decision (or onboarding) in
the site's time zone, and shown as SVG with a table, in the reader's language.
Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (decided at, days from submission to decision, days from submission to onboarding)
DECISIONS = [
    (at(2026, 6, 10, 9), 2, None),
    (at(2026, 6, 12, 9), 4, None),  # June: 3.0
    (at(2026, 5, 20, 9), 10, None),  # May: 10.0
    (at(2026, 4, 2, 9), 3, 23),
    (at(2026, 4, 10, 9), 6, 25),  # April: decision 4.5, onboarding 24.0
    (at(2026, 3, 5, 9), 1, None),
    (at(2026, 3, 15, 9), 5, None),
    (at(2026, 3, 25, 9), 9, None),  # March: 5.0
    # The first month of the window in UTC; 30 June at 18:30 in Mexico City.
    (at(2025, 7, 1, 0, 30), 7, None),
    (at(2025, 6, 30, 23), 100, None),  # before the window: in no figure
]


@pytest.fixture
def decided_letters(make_letter):
    from applications.models import Letter

    with time_machine.travel(NOW, tick=False):
        for decided, to_decision, to_onboarding in DECISIONS:
            letter = make_letter("onboarded" if to_onboarding else "approved")
            submitted = decided - timedelta(days=to_decision)
            Letter.objects.filter(pk=letter.pk).update(
                submitted_at=submitted,
                decided_at=decided,
                onboarded_at=to_onboarding and submitted + timedelta(days=to_onboarding),
            )


def dashboard(client, language="en"):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("review:dashboard"))


def by_month(context) -> dict:
    return {
        (start.year, start.month): (decision, onboarding)
        for start, decision, onboarding in context["monthly_medians"]
    }


def test_medians_per_month_of_the_last_12_months(client, reviewer, decided_letters):
    from django.db import connection

    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as captured:
        response = dashboard(client)
    context = response.context
    months = by_month(context)
    assert list(months) == [(2025, m) for m in range(7, 13)] + [(2026, m) for m in range(1, 7)]
    assert months[2026, 6] == (3.0, None)
    assert months[2026, 5] == (10.0, None)
    assert months[2026, 4] == (4.5, 24.0)
    assert months[2026, 3] == (5.0, None)
    assert months[2025, 7] == (7.0, None)
    assert all(months[month] == (None, None) for month in [(2025, 8), (2026, 1), (2026, 2)])
    # The window's own medians: 1 2 3 4 [5] 6 7 9 10 (the 100 days of June 2025 is out).
    assert context["median_to_decision"] == 5.0
    assert context["median_to_onboarding"] == 24.0
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert ("PERCENTILE_CONT" in sql) == (connection.vendor == "postgresql")
    # Only the window's letters are read: decided since the window's first day.
    assert '"decided_at" >= ' in sql and '"onboarded_at" >= ' in sql


def test_a_month_is_the_site_time_zone_s(client, reviewer, decided_letters, settings):
    """Mexico City is six hours behind UTC: the decision of 1 July 00:30 UTC was
    taken on 30 June there, before the window, which starts on 1 July there."""
    settings.TIME_ZONE = "America/Mexico_City"
    client.force_login(reviewer)
    context = dashboard(client).context
    months = by_month(context)
    assert months[2025, 7] == (None, None)
    assert months[2026, 6] == (3.0, None)
    # 1 2 3 4 | 5 6 9 10: the median of an even count is the mean of the middle two.
    assert context["median_to_decision"] == 4.5


@pytest.mark.parametrize(
    ("language", "title", "june", "value"),
    [
        ("es", "Mediana de días desde el envío hasta la decisión, por mes", "junio de 2026", "3,0"),
        ("fr", "Nombre médian de jours entre l’envoi et la décision, par mois", "juin 2026", "3,0"),
        ("en", "Median days from submission to decision, by month", "June 2026", "3.0"),
    ],
)
def test_the_months_are_drawn_and_tabled_in_the_reader_s_language(
    client, reviewer, decided_letters, language, title, june, value
):
    client.force_login(reviewer)
    html = dashboard(client, language).content.decode()
    section = html[html.index(title) :]
    svg = section[section.index("<svg") : section.index("</svg>")]
    table = section[section.index("<table") : section.index("</table>")]
    assert f">{june}</text>" in svg and f">{value}</text>" in svg
    assert f'<th scope="row">{june}</th><td>{value}</td>' in table
    # A month without decisions is a dash, not a zero.
    assert "<td>—</td>" in table


def test_the_medians_are_computed_again_after_a_decision_not_after_a_submission(
    client, reviewer, decided_letters, make_letter
):
    from django.db import connection

    from applications.models import Letter

    client.force_login(reviewer)
    assert dashboard(client).context["median_to_decision"] == 5.0
    with time_machine.travel(NOW, tick=False):
        make_letter("submitted")
    with CaptureQueriesContext(connection) as captured:
        context = dashboard(client).context
    assert context["total"] == len(DECISIONS) + 1  # the counts follow the new letter
    assert context["median_to_decision"] == 5.0
    assert not any("CASE WHEN" in query["sql"] for query in captured.captured_queries)

    with time_machine.travel(NOW, tick=False):
        letter = make_letter("approved")
    Letter.objects.filter(pk=letter.pk).update(
        submitted_at=NOW - timedelta(days=30), decided_at=NOW - timedelta(days=1)
    )
    with CaptureQueriesContext(connection) as captured:
        context = dashboard(client).context
    assert sum("CASE WHEN" in query["sql"] for query in captured.captured_queries) == 1
    # June now holds 2, 4 and 29 days; the window 1 2 3 4 5 [6] 7 9 10 29.
    assert by_month(context)[2026, 6] == (4.0, None)
    assert context["median_to_decision"] == 5.5
