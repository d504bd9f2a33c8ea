"""Reads for the staff pages: the open task of a letter or nomination, the letter
inbox with its deadlines, and every task a staff member can act on."""

from datetime import timedelta

from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from applications.configuration.selectors import deadline_days
from applications.matching import name_key
from applications.models import Letter, Nomination, Organisation
from notifications.models import UNDELIVERED, OutboxMessage
from notifications.selectors import LETTER as LETTER_OBJECT
from notifications.selectors import bounced_for_object, outbox_for_object

from .models import LetterProcess, NominationProcess

# How viewflow stores a task's node: the flow's module path, its class and the node.
NODE_PREFIX = "review/flows.LetterFlow."
NOMINATION_NODE_PREFIX = "review/flows.NominationFlow."
ACTIVE = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
STAFF_NODES = ("screen", "decide", "onboard")


def _open_task(process, prefix: str, node_name: str | None):
    if process is None:
        return None
    tasks = process.task_set.filter(status__in=ACTIVE)
    if node_name:
        tasks = tasks.filter(flow_task=prefix + node_name)
    return tasks.order_by("pk").first()


def letter_open_task(*, letter, node_name: str | None = None):
    """The letter's open task (optionally of one node), or None."""
    process = LetterProcess.objects.filter(letter=letter).first()
    return _open_task(process, NODE_PREFIX, node_name)


def nomination_open_task(*, nomination, node_name: str | None = None):
    """The nomination's open task (optionally of one node), or None."""
    process = NominationProcess.objects.filter(nomination=nomination).first()
    return _open_task(process, NOMINATION_NODE_PREFIX, node_name)


def letter_outbox(letter):
    return outbox_for_object(object_type=LETTER_OBJECT, object_id=letter.pk)


def letter_bounces(letter):
    return bounced_for_object(object_type=LETTER_OBJECT, object_id=letter.pk, audience="applicant")


def deadline(node: str, days: dict | None = None) -> timedelta:
    """How long a task of ``node`` may wait: the Secretariat's setting (its default
    comes from the environment, ``settings.REVIEW_DEADLINE_DAYS``). A page that
    needs it for many rows passes ``days`` (``deadline_days()``), read once."""
    return timedelta(days=(days or deadline_days())[node])


def overdue_q(
    *,
    node_field: str = "open_task_node",
    created_field: str = "open_task_created",
    factor: int = 1,
    now=None,
) -> Q:
    """Rows whose open staff task is older than ``factor`` times its deadline.

    The defaults filter letters from ``letters_with_open_task``; pass
    ``node_field="flow_task", created_field="created"`` to filter tasks.
    """
    now = now or timezone.now()
    days = deadline_days()
    query = Q(pk__in=[])
    for node in STAFF_NODES:
        query |= Q(
            **{
                node_field: NODE_PREFIX + node,
                f"{created_field}__lt": now - factor * deadline(node, days),
            }
        )
    return query


def letters_with_open_task():
    """Letters annotated with their open staff task (node, id, created, owner), and
    whether an email to the applicant bounced."""
    tasks = Task.objects.filter(
        process__letterprocess__letter=OuterRef("pk"),
        status__in=ACTIVE,
        flow_task__in=[NODE_PREFIX + node for node in STAFF_NODES],
    ).order_by("-pk")
    return Letter.objects.annotate(
        open_task_id=Subquery(tasks.values("pk")[:1], output_field=IntegerField()),
        open_task_node=Subquery(tasks.values("flow_task")[:1], output_field=CharField()),
        open_task_created=Subquery(tasks.values("created")[:1], output_field=DateTimeField()),
        open_task_owner_id=Subquery(tasks.values("owner_id")[:1], output_field=IntegerField()),
        open_task_process_id=Subquery(tasks.values("process_id")[:1], output_field=IntegerField()),
        applicant_bounced=Exists(
            OutboxMessage.objects.filter(
                object_type=LETTER_OBJECT,
                object_id=OuterRef("pk"),
                audience="applicant",
                delivery_status__in=UNDELIVERED,
            )
        ),
    )


SORTS = {
    "oldest": ("submitted_at", "pk"),
    "newest": ("-submitted_at", "-pk"),
    "name": ("organisation_name", "pk"),
}


def inbox_letters(
    *,
    status: str = "",
    constituency: str = "",
    country: str = "",
    overdue: bool = False,
    open_only: bool = False,
    query: str = "",
    sort: str = "oldest",
):
    letters = letters_with_open_task()
    if status:
        letters = letters.filter(status=status)
    if constituency:
        letters = letters.filter(constituency=constituency)
    if country:
        letters = letters.filter(country=country)
    if query:
        letters = letters.filter(
            Q(organisation_name__icontains=query) | Q(acronym__icontains=query)
        )
    if open_only:
        letters = letters.filter(open_task_id__isnull=False)
    if overdue:
        letters = letters.filter(overdue_q())
    return letters.order_by(*SORTS.get(sort, SORTS["oldest"]))


def task_due(node: str, created, now=None, days: dict | None = None):
    """(due date, overdue?) of a staff task of ``node`` opened at ``created``;
    (None, False) for a task without a deadline. ``days``: see ``deadline``."""
    if node not in STAFF_NODES or created is None:
        return None, False
    due = created + deadline(node, days)
    return due, due < (now or timezone.now())


def annotate_deadlines(letters, now=None) -> None:
    """Set ``task_node``, ``due`` and ``is_overdue`` on each letter of a page."""
    now = now or timezone.now()
    days = deadline_days()
    for letter in letters:
        letter.task_node = (letter.open_task_node or "").removeprefix(NODE_PREFIX)
        letter.due, letter.is_overdue = task_due(
            letter.task_node, letter.open_task_created, now, days
        )


def _not_screened_by(user) -> Q:
    """Four-eyes: leaves out the decisions on what ``user`` screened. Written as
    subqueries on the process, so that a task list joins nothing to apply it."""
    letters = LetterProcess.objects.filter(letter__screened_by=user).values("pk")
    nominations = NominationProcess.objects.filter(nomination__screened_by=user).values("pk")
    return ~Q(flow_task=NODE_PREFIX + "decide", process_id__in=letters) & ~Q(
        flow_task=NOMINATION_NODE_PREFIX + "decide", process_id__in=nominations
    )


class StaffTasks:
    """Every open staff task ``user`` can act on, letters and nominations together:
    the tasks assigned to them first, then the free tasks their roles allow, each
    part oldest first. Decisions on what they screened are left out (four-eyes).

    A sequence that Django's ``Paginator`` pages. Each part is read in the order of
    its index (``review_my_tasks_idx``, ``review_free_tasks_idx``, migration 0008)
    and counted from the index alone, so a page costs the same with 100 or 10,000
    open tasks; only the page's rows are then read, with their letter or nomination,
    in one query.
    """

    def __init__(self, user):
        human = Q(flow_task_type="HUMAN") & _not_screened_by(user)
        self.mine = Task.objects.filter(human, owner=user, status__in=ACTIVE)
        if user.is_superuser:
            free = Task.objects.filter(human, status__in=ACTIVE).exclude(owner=user)
        else:
            roles = Q(owner_permission__isnull=True) | Q(
                owner_permission__in=user.get_all_permissions()
            )
            free = Task.objects.filter(human, roles, status=STATUS.NEW, owner__isnull=True)
        self.mine = self.mine.order_by("created", "pk")
        self.free = free.order_by("created", "pk")
        self._mine_count = None

    def _count_mine(self) -> int:
        if self._mine_count is None:
            self._mine_count = self.mine.count()
        return self._mine_count

    def count(self) -> int:
        return self._count_mine() + self.free.count()

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        mine = self._count_mine()
        ids = []
        if start < mine:
            ids += self.mine.values_list("pk", flat=True)[start : min(stop, mine)]
        if stop > mine:
            ids += self.free.values_list("pk", flat=True)[max(start - mine, 0) : stop - mine]
        rows = Task.objects.select_related(
            "owner",
            "process__letterprocess__letter",
            "process__nominationprocess__nomination__nominee_organisation",
            "process__reconfirmationprocess__organisation",
        ).in_bulk(ids)
        return [rows[pk] for pk in ids]


def screened_decisions(user):
    """The open decisions on what ``user`` screened, when their role would otherwise
    let them decide: left out of their tasks (four-eyes), and shown with the reason."""
    deciders = ("applications.decide_letter", "applications.decide_nomination")
    if not any(user.has_perm(permission) for permission in deciders):
        return Task.objects.none()
    return (
        Task.objects.filter(status__in=ACTIVE)
        .filter(
            Q(flow_task=NODE_PREFIX + "decide", process__letterprocess__letter__screened_by=user)
            | Q(
                flow_task=NOMINATION_NODE_PREFIX + "decide",
                process__nominationprocess__nomination__screened_by=user,
            )
        )
        .select_related(
            "process__letterprocess__letter",
            "process__nominationprocess__nomination__nominee_organisation",
        )
        .order_by("created", "pk")
    )


def staff_search(*, query: str, limit: int = 25) -> dict:
    """Letters, nominations and members whose name, acronym or contact email holds
    ``query``, without regard to case or accents, the same on SQLite and PostgreSQL:
    names are compared through their folded key (``matching.name_key``, stored on
    letters and organisations), and nominees' names are folded as they are read."""
    text = " ".join(query.split())
    key = name_key(text)
    if not key and "@" not in text:
        return {"letters": [], "nominations": [], "members": []}

    def names(prefix=""):
        match = Q(**{f"{prefix}acronym__iexact": text}) | Q(
            **{f"{prefix}contact_email__icontains": text}
        )
        if key:
            match |= Q(**{f"{prefix}name_key__contains": key})
        return match

    letters = list(Letter.objects.filter(names()).order_by("-submitted_at", "-pk")[:limit])
    members = list(Organisation.objects.filter(names()).order_by("name", "pk")[:limit])
    nominations = []
    candidates = Nomination.objects.select_related("nominee_organisation").order_by("-pk")
    lowered = text.casefold()
    for nomination in candidates.iterator(chunk_size=500):
        if (
            (key and key in name_key(nomination.nominee_name))
            or (key and key in nomination.nominee_organisation.name_key)
            or lowered in nomination.nominee_email.casefold()
        ):
            nominations.append(nomination)
            if len(nominations) == limit:
                break
    return {"letters": letters, "nominations": nominations, "members": members}
