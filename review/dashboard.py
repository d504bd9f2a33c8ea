"""Figures for the staff dashboard, and horizontal bar charts drawn as SVG."""

import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from applications.choices import Constituency, LetterStatus
from applications.models import Letter
from applications.regions import Region, region_for

from .selectors import letters_with_open_task, overdue_q

FUNNEL = [
    LetterStatus.SUBMITTED,
    LetterStatus.CHANGES_REQUESTED,
    LetterStatus.REVIEWED,
    LetterStatus.APPROVED,
    LetterStatus.ONBOARDED,
    LetterStatus.REJECTED,
    LetterStatus.WITHDRAWN,
]

BAR_HEIGHT = 26
LABEL_WIDTH = 260
CHART_WIDTH = 640


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_x: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH


def chart(title, pairs) -> Chart:
    pairs = list(pairs)
    top = max((value for _, value in pairs), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 60
    bars = []
    for index, (label, value) in enumerate(pairs):
        width = round(room * value / top)
        bars.append(Bar(str(label), value, index * BAR_HEIGHT, width, LABEL_WIDTH + width + 6))
    return Chart(str(title), bars, max(len(bars), 1) * BAR_HEIGHT)


def _median_days(pairs) -> float | None:
    durations = [(end - start).total_seconds() / 86400 for start, end in pairs if start and end]
    return round(statistics.median(durations), 1) if durations else None


def dashboard_figures(titles: dict) -> dict:
    by_status = dict(Letter.objects.order_by().values_list("status").annotate(n=Count("pk")))
    by_constituency = dict(
        Letter.objects.order_by().values_list("constituency").annotate(n=Count("pk"))
    )
    by_country = Letter.objects.order_by().values_list("country").annotate(n=Count("pk"))
    regions = Counter()
    for country, total in by_country:
        regions[region_for(country)] += total
    decided = Letter.objects.filter(decided_at__isnull=False).values_list(
        "submitted_at", "decided_at"
    )
    onboarded = Letter.objects.filter(onboarded_at__isnull=False).values_list(
        "submitted_at", "onboarded_at"
    )
    return {
        "total": sum(by_status.values()),
        "charts": [
            chart(titles["funnel"], [(s.label, by_status.get(s, 0)) for s in FUNNEL]),
            chart(
                titles["constituency"],
                [(label, by_constituency.get(key, 0)) for key, label in Constituency.choices],
            ),
            chart(
                titles["region"],
                [(label, regions.get(key, 0)) for key, label in Region.choices]
                + ([(titles["no_region"], regions[""])] if regions.get("") else []),
            ),
        ],
        "median_to_decision": _median_days(decided),
        "median_to_onboarding": _median_days(onboarded),
        "overdue": letters_with_open_task().filter(overdue_q()).count(),
    }
