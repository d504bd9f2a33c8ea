"""Figures for the staff dashboard, and horizontal bar charts drawn as SVG.

Every figure is read as an aggregate, never letter by letter: one grouped count
per chart (regions are summed from the per-country counts, at most one row per
country), each median computed by the database (PostgreSQL's
``percentile_cont``; elsewhere the middle row or two of the durations in the
order an index keeps, see migration applications/0010_dashboard_indexes), and
the overdue count over the open tasks only. The counts and medians are kept
until a letter changes (``letter_figures``); the overdue count is read each time.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Max, Q
from django.utils import timezone
from viewflow.workflow.models import Task

from applications.choices import Constituency, LetterStatus, NominationStatus
from applications.models import Call, Letter, Nomination, Organisation
from applications.nominations.selectors import call_seat_counts
from applications.regions import Region, region_for

from .selectors import ACTIVE, NODE_PREFIX, STAFF_NODES, overdue_q

FIGURES_CACHE_SECONDS = 3600

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


class _MedianSeconds(Aggregate):
    """PostgreSQL: the median of ``end - start`` in seconds, interpolated between
    the two middle values of an even count as ``statistics.median`` does."""

    function = "PERCENTILE_CONT"
    template = "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)))"
    arg_joiner = " - "
    output_field = FloatField()


class _JulianDay(Func):
    function = "julianday"
    output_field = FloatField()


def median_days(end_field: str) -> float | None:
    """Median days from submission to ``end_field`` over the letters that have it."""
    letters = Letter.objects.filter(**{f"{end_field}__isnull": False}).order_by()
    if connection.vendor == "postgresql":
        seconds = letters.aggregate(m=_MedianSeconds(F(end_field), F("submitted_at")))["m"]
        return None if seconds is None else round(seconds / 86400, 1)
    if connection.vendor == "sqlite":
        days = letters.annotate(d=_JulianDay(end_field) - _JulianDay("submitted_at"))
    else:  # any other database: Django's own date arithmetic, in microseconds
        days = letters.annotate(d=(F(end_field) - F("submitted_at")))
    count = letters.count()
    if not count:
        return None
    middle = list(days.order_by("d").values_list("d", flat=True)[(count - 1) // 2 : count // 2 + 1])
    values = [v.total_seconds() / 86400 if hasattr(v, "total_seconds") else v for v in middle]
    return round(sum(values) / len(values), 1)


def overdue_count(now=None) -> int:
    """Letters whose open staff task is past its deadline, counted over the open
    tasks (``status`` is indexed), never over every letter ever received."""
    return (
        Task.objects.filter(
            status__in=ACTIVE,
            flow_task__in=[NODE_PREFIX + node for node in STAFF_NODES],
        )
        .filter(overdue_q(node_field="flow_task", created_field="created", now=now))
        # A letter has one process (LetterProcess.letter is one-to-one).
        .values("process_id")
        .distinct()
        .count()
    )


def _counts(field: str) -> dict:
    return dict(Letter.objects.order_by().values_list(field).annotate(n=Count("*")))


def letter_figures() -> dict:
    """The counts and medians, which change only when a letter does.

    Kept per process under the letters' stamp, their number and latest change
    (``updated_at`` moves on every save; two indexed aggregates), so that a
    page after no change reads the end of one index and counts its entries. A code path that
    changed these fields with ``QuerySet.update()`` would have to move
    ``updated_at`` too; none does.
    """
    # Two queries: together, SQLite would read every row instead of two indexes.
    letters = Letter.objects.order_by()
    last = letters.aggregate(last=Max("updated_at"))["last"]
    key = f"dashboard:{letters.count()}:{last.isoformat() if last else ''}"
    figures = cache.get(key)
    if figures is None:
        figures = {
            "status": _counts("status"),
            "constituency": _counts("constituency"),
            "country": _counts("country"),
            "median_to_decision": median_days("decided_at"),
            "median_to_onboarding": median_days("onboarded_at"),
        }
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def dashboard_figures(titles: dict) -> dict:
    figures = letter_figures()
    by_status, by_constituency = figures["status"], figures["constituency"]
    regions = Counter()
    for country, total in figures["country"].items():
        regions[region_for(country)] += total
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
        "median_to_decision": figures["median_to_decision"],
        "median_to_onboarding": figures["median_to_onboarding"],
        # Not kept: it changes as time passes, without any write.
        "overdue": overdue_count(),
    }


def alliance_figures(titles: dict) -> dict:
    """The rest of the Alliance beside the letters: members by constituency and by
    region, nominations by state, and each open call's seats filled per
    constituency. Grouped counts (three queries) and two per open call."""
    members = Organisation.objects.order_by().aggregate(
        **{f"c_{key}": Count("pk", filter=Q(constituency=key)) for key in Constituency.values},
        **{f"r_{key}": Count("pk", filter=Q(region=key)) for key in [*Region.values, ""]},
    )
    by_constituency = {key: members[f"c_{key}"] for key in Constituency.values}
    by_region = {key: members[f"r_{key}"] for key in [*Region.values, ""]}
    by_status = Nomination.objects.order_by().aggregate(
        **{key: Count("pk", filter=Q(status=key)) for key in NominationStatus.values}
    )
    now = timezone.now()
    open_calls = Call.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")
    return {
        "members_total": sum(by_constituency.values()),
        "alliance_charts": [
            chart(
                titles["members_constituency"],
                [(label, by_constituency.get(key, 0)) for key, label in Constituency.choices],
            ),
            chart(
                titles["members_region"],
                [(label, by_region.get(key, 0)) for key, label in Region.choices]
                + ([(titles["no_region"], by_region[""])] if by_region.get("") else []),
            ),
            chart(
                titles["nominations"],
                [(label, by_status.get(key, 0)) for key, label in NominationStatus.choices],
            ),
        ],
        "open_calls": [(call, call_seat_counts(call)) for call in open_calls[:5]],
    }
