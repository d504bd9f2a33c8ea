"""Figures for the staff dashboard, and horizontal bar charts drawn as SVG.

Every figure is read as an aggregate, never letter by letter: one grouped count
per chart (regions are summed from the per-country counts, at most one row per
country); the medians of days to decision and to onboarding per month over the
last 12 months, one query each, over that window only (PostgreSQL's
``percentile_cont``; on SQLite, which has none, the window's durations sorted
here); and the overdue count over the open tasks only. The counts and medians are
kept until a letter changes or the month turns (``letter_figures``); the overdue
count is read each time.
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.formats import date_format
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
    value: float | None  # None: nothing to measure (a month without decisions)
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
    top = max((value or 0 for _, value in pairs), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 60
    bars = []
    for index, (label, value) in enumerate(pairs):
        width = round(room * (value or 0) / top)
        bars.append(Bar(str(label), value, index * BAR_HEIGHT, width, LABEL_WIDTH + width + 6))
    return Chart(str(title), bars, max(len(bars), 1) * BAR_HEIGHT)


MONTHS = 12


def month_starts(now=None, months: int = MONTHS) -> list[datetime]:
    """The first instant of each of the last ``months`` months, oldest first and
    this month last, in the current time zone."""
    local = timezone.localtime(now or timezone.now())
    starts = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(local.year * 12 + local.month - 1 - back, 12)
        starts.append(timezone.make_aware(datetime(year, month + 1, 1)))
    return starts


class _EpochDays(Func):
    """PostgreSQL: days (a float) between two timestamps."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0"
    arg_joiner = " - "
    output_field = FloatField()


class _JulianDay(Func):
    function = "julianday"
    output_field = FloatField()


def _days(end_field: str):
    """Days from submission to ``end_field``: a float on SQLite and PostgreSQL,
    Django's own date arithmetic (a duration) elsewhere."""
    if connection.vendor == "sqlite":
        return _JulianDay(end_field) - _JulianDay("submitted_at")
    if connection.vendor == "postgresql":
        return _EpochDays(F(end_field), F("submitted_at"))
    return ExpressionWrapper(F(end_field) - F("submitted_at"), output_field=DurationField())


# PostgreSQL: the median of each month and of the whole window (the row whose
# month is NULL) in one query, percentile_cont over grouping sets.
PERCENTILE_SQL = (
    "SELECT month, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY days) "
    "FROM ({inner}) AS durations GROUP BY GROUPING SETS ((month), ())"
)


def monthly_medians(end_field: str, starts: list[datetime]) -> tuple[float | None, list]:
    """Median days from submission to ``end_field`` (``decided_at`` or
    ``onboarded_at``) for the letters that reached it since ``starts[0]``: over
    the whole window, and for each month of ``starts`` (None where none did).

    One query, which reads only the window's letters through the index on
    (``end_field``, ``submitted_at``), never every letter ever decided. A letter
    counts in the month of its decision (or onboarding), in the current time
    zone. PostgreSQL computes the medians; SQLite has no percentile, and its
    window functions sort slower than Python does, so there the window's
    durations (one number and one month a letter) come back and are sorted here.
    """
    # Each month's number, from the month boundaries computed here: no
    # per-row time-zone conversion, the same on every database.
    month = Case(
        *[
            When(**{f"{end_field}__gte": start}, then=Value(index))
            for index, start in reversed(list(enumerate(starts)))
        ],
        output_field=IntegerField(),
    )
    durations = (
        Letter.objects.filter(**{f"{end_field}__gte": starts[0]})
        .order_by()
        .annotate(month=month, days=_days(end_field))
        .values_list("month", "days")
    )
    if connection.vendor == "postgresql":
        inner, params = durations.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(PERCENTILE_SQL.format(inner=inner), params)
            medians = {-1 if key is None else key: value for key, value in cursor.fetchall()}
    else:
        if connection.vendor == "sqlite":
            # Plain rows (an int and a float each): the ORM's converters would
            # cost more than the medians.
            inner, params = durations.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(inner, params)
                rows = cursor.fetchall()
        else:  # another database: durations, in days
            rows = [(key, duration.total_seconds() / 86400) for key, duration in durations]
        by_month: dict = {}
        for key, days in rows:
            by_month.setdefault(key, []).append(days)
        medians = {key: statistics.median(values) for key, values in by_month.items()}
        if rows:
            medians[-1] = statistics.median([days for _key, days in rows])

    def rounded(value):
        return None if value is None else round(float(value), 1)

    return rounded(medians.get(-1)), [
        (start, rounded(medians.get(index))) for index, start in enumerate(starts)
    ]


def overdue_count(now=None) -> int:
    """Letters whose open staff task is past its deadline, counted over the open
    tasks (``status`` is indexed), never over every letter ever received."""
    return (
        Task.objects.filter(
            status__in=ACTIVE,
            flow_task__in=[NODE_PREFIX + node for node in STAFF_NODES],
        )
        .filter(overdue_q(node_field="flow_task", created_field="created", now=now))
        # A letter has one process (LetterProcess.letter is one-to-one). One
        # COUNT(DISTINCT): SQLite plans a DISTINCT subquery by walking the
        # process_id index over every task, open or closed.
        .aggregate(n=Count("process_id", distinct=True))["n"]
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
    # The medians' window moves with the month, without any write.
    starts = month_starts()
    key = f"dashboard:{letters.count()}:{last.isoformat() if last else ''}:{starts[0].isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = {
            "status": _counts("status"),
            "constituency": _counts("constituency"),
            "country": _counts("country"),
            "decision": kept_medians("decided_at", starts),
            "onboarding": kept_medians("onboarded_at", starts),
        }
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def kept_medians(end_field: str, starts: list[datetime]) -> tuple[float | None, list]:
    """``monthly_medians``, kept under their own stamp: how many letters reached
    ``end_field`` in the window and the latest of them (one range of the
    (``end_field``, ``submitted_at``) index). Most changes to letters are
    submissions, screenings and edits, which move the counts but no median: after
    them, the medians are not computed again. (A decision deleted together with
    an older one recorded would keep the stamp; letters are not deleted that way.)
    """
    stamp = (
        Letter.objects.filter(**{f"{end_field}__gte": starts[0]})
        .order_by()
        .aggregate(n=Count("*"), last=Max(end_field))
    )
    last = stamp["last"].isoformat() if stamp["last"] else ""
    key = f"dashboard:{end_field}:{starts[0].isoformat()}:{stamp['n']}:{last}"
    medians = cache.get(key)
    if medians is None:
        medians = monthly_medians(end_field, starts)
        cache.set(key, medians, FIGURES_CACHE_SECONDS)
    return medians


def _month(start: datetime) -> str:
    """The month as the reader's language writes it ("diciembre de 2025")."""
    return date_format(timezone.localtime(start), "YEAR_MONTH_FORMAT")


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
        "median_to_decision": figures["decision"][0],
        "median_to_onboarding": figures["onboarding"][0],
        # Each month's medians, for the two charts and for anyone reading the figures.
        "monthly_medians": [
            (start, decision, onboarding)
            for (start, decision), (_start, onboarding) in zip(
                figures["decision"][1], figures["onboarding"][1], strict=True
            )
        ],
        "month_charts": [
            chart(titles[measure], [(_month(start), value) for start, value in figures[measure][1]])
            for measure in ("decision", "onboarding")
        ],
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
