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
