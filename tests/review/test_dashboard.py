"""The staff dashboard: funnel, constituencies, regions, medians, overdue."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_dashboard_counts_and_medians(client, reviewer, make_letter):
    start = timezone.now() - timedelta(days=30)
    with time_machine.travel(start, tick=False):
        letter = make_letter("submitted", constituency="youth", country="KE")
    from applications.choices import Recommendation
    from applications.letters import services
    from tests.factories import complete

    with time_machine.travel(start + timedelta(days=4), tick=False):
        complete(
            letter,
            "screen",
            reviewer,
            lambda: services.letter_screen(
                letter=letter, by=reviewer, recommendation=Recommendation.APPROVE
            ),
        )
    make_letter("submitted", constituency="trade_union", country="MX")
    client.force_login(reviewer)
    response = client.get(reverse("review:dashboard"))
    html = response.content.decode()
    context = response.context
    funnel, constituencies, regions = context["charts"]
    assert dict((bar.label, bar.value) for bar in funnel.bars)["Submitted"] == 1
    assert dict((bar.label, bar.value) for bar in funnel.bars)["Screened"] == 1
    assert dict((bar.label, bar.value) for bar in constituencies.bars)["Youth organisation"] == 1
    assert dict((bar.label, bar.value) for bar in regions.bars)["Africa"] == 1
    assert context["overdue"] == 1  # the decision has waited 26 days of 14
    assert context["median_to_decision"] is None
    assert "<svg" in html and ">Youth organisation</text>" in html


def test_dashboard_median_time_to_decision(client, reviewer, make_letter):
    from applications.models import Letter

    for days in (2, 6, 7):
        letter = make_letter("approved")
        Letter.objects.filter(pk=letter.pk).update(
            decided_at=letter.submitted_at + timedelta(days=days)
        )
    client.force_login(reviewer)
    context = client.get(reverse("review:dashboard")).context
    assert context["median_to_decision"] == 6.0
    assert context["median_to_onboarding"] is None
    assert context["total"] == 3


def test_dashboard_shows_overdue_tasks(client, reviewer, make_letter, settings):
    with time_machine.travel(
        timezone.now() - timedelta(days=settings.REVIEW_DEADLINE_DAYS["screen"] + 2)
    ):
        make_letter("submitted")
    client.force_login(reviewer)
    assert client.get(reverse("review:dashboard")).context["overdue"] == 1


def naive_figures() -> dict:
    """The dashboard's figures computed the straightforward way: every letter read
    into Python, the open task of each looked up (as the page did before)."""
    import statistics
    from collections import Counter

    from applications.choices import Constituency, LetterStatus
    from applications.models import Letter
    from applications.regions import Region, region_for
    from review.selectors import letters_with_open_task, overdue_q

    letters = list(Letter.objects.all())

    def median(end):
        days = [
            (getattr(x, end) - x.submitted_at).total_seconds() / 86400
            for x in letters
            if getattr(x, end)
        ]
        return round(statistics.median(days), 1) if days else None

    statuses = Counter(x.status for x in letters)
    constituencies = Counter(x.constituency for x in letters)
    regions = Counter(region_for(x.country.code) for x in letters)
    return {
        "total": len(letters),
        "status": {s.value: statuses[s.value] for s in LetterStatus},
        "constituency": {key: constituencies[key] for key in Constituency.values},
        "region": {key: regions[key] for key in [*Region.values, ""]},
        "median_to_decision": median("decided_at"),
        "median_to_onboarding": median("onboarded_at"),
        "overdue": letters_with_open_task().filter(overdue_q()).count(),
    }


def figures_shown(context) -> dict:
    from applications.choices import Constituency, LetterStatus
    from applications.regions import Region

    funnel, constituencies, regions = (
        {bar.label: bar.value for bar in chart.bars} for chart in context["charts"]
    )
    return {
        "total": context["total"],
        "status": {s.value: funnel[s.label] for s in LetterStatus},
        "constituency": {key: constituencies[label] for key, label in Constituency.choices},
        "region": {
            **{key: regions[label] for key, label in Region.choices},
            "": regions.get("Other", 0),
        },
        "median_to_decision": context["median_to_decision"],
        "median_to_onboarding": context["median_to_onboarding"],
        "overdue": context["overdue"],
    }


def test_dashboard_figures_equal_a_straightforward_computation(
    client, reviewer, make_letter, django_assert_max_num_queries
):
    """Letters in every state with scattered dates, countries and task ages (odd
    and even counts for the medians); run on SQLite and on PostgreSQL."""
    import random

    from applications.models import Letter

    rng = random.Random(17)
    states = ["submitted", "reviewed", "approved", "onboarded", "rejected", "withdrawn"]
    constituencies = ["youth", "trade_union", "academia", "civil_society"]
    countries = ["KE", "MX", "FR", "IN", "AU", "US", "AQ"]
    client.force_login(reviewer)
    compared = 0
    for n in range(24):
        with time_machine.travel(timezone.now() - timedelta(days=rng.uniform(1, 40))):
            letter = make_letter(
                states[n % len(states)],
                constituency=constituencies[n % len(constituencies)],
                country=countries[n % len(countries)],
            )
        fields = {"submitted_at": timezone.now() - timedelta(days=rng.uniform(50, 90))}
        if letter.decided_at:
            fields["decided_at"] = fields["submitted_at"] + timedelta(hours=rng.uniform(1, 900))
        if letter.onboarded_at:
            fields["onboarded_at"] = fields["decided_at"] + timedelta(hours=rng.uniform(1, 500))
        Letter.objects.filter(pk=letter.pk).update(**fields)
        if n in (10, 16, 23):  # odd and even numbers of decided and onboarded letters
            expected = naive_figures()
            with django_assert_max_num_queries(20):
                context = client.get(reverse("review:dashboard")).context
            assert figures_shown(context) == expected
            compared += 1
    assert compared == 3
    assert expected["overdue"] > 0 and expected["median_to_onboarding"] is not None
    assert expected["region"][""] > 0  # Antarctica is in no region: the "Other" bar


def test_dashboard_query_count_does_not_grow_with_letters(client, reviewer, make_letter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    counts = []
    for _ in range(2):
        for state in ("submitted", "onboarded", "rejected"):
            make_letter(state)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("review:dashboard"))
        counts.append(len(captured))
    assert counts[0] == counts[1]
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    # The medians are the database's: PostgreSQL's percentile, SQLite's sort.
    assert ("PERCENTILE_CONT" in sql) == (connection.vendor == "postgresql")
    # No query reads the letters' open tasks one letter at a time.
    assert "open_task" not in sql


def test_kept_figures_follow_every_change_to_a_letter(client, reviewer, make_letter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.letters import services

    client.force_login(reviewer)
    letter = make_letter("submitted", constituency="youth")
    url = reverse("review:dashboard")
    assert client.get(url).context["total"] == 1
    with CaptureQueriesContext(connection) as captured:
        context = client.get(url).context  # kept: no grouped count, no median
    assert not any("GROUP BY" in query["sql"] for query in captured.captured_queries)
    assert figures_shown(context) == naive_figures()
    services.letter_withdraw(letter=letter)
    assert figures_shown(client.get(url).context) == naive_figures()
    make_letter("onboarded", constituency="academia", country="FR")
    assert figures_shown(client.get(url).context) == naive_figures()
    letter.delete()
    shown = figures_shown(client.get(url).context)
    assert shown == naive_figures() and shown["total"] == 1
