"""The only writer of viewflow processes from domain events.

The domain announces what an applicant, a member or a nominee did
(``applications.events``); ``STEPS`` says which viewflow step each such event
moves. Staff-side steps are not here: the task views run their own viewflow
activation after calling the service (``review.task_actions.task_complete``).

Subscribed in ``ReviewConfig.ready()``; runs inside the domain service's
transaction, so a process that cannot move rolls the step back.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from applications.exceptions import TransitionNotAllowed

from .flows import LetterFlow, NominationFlow, ReconfirmationFlow
from .models import LetterProcess, NominationProcess, ReconfirmationProcess
from .selectors import ACTIVE, letter_open_task


def letter_process_start(letter) -> LetterProcess:
    """Start the review of a new letter: creates its process and a screening task."""
    return LetterFlow.start.run(letter=letter)


def letter_process_resubmitted(letter) -> None:
    """The applicant resubmitted: the waiting process creates a new screening task."""
    task = letter_open_task(letter=letter, node_name="await_changes")
    if task is None:
        raise TransitionNotAllowed(_("This letter is not waiting for changes."))
    LetterFlow.await_changes.run(task)


def letter_process_onboarded(letter) -> None:
    """The member completed onboarding itself: close the secretariat's onboarding task.

    The task is marked done with no owner, which the history shows as done by
    the member rather than by a staff user.
    """
    task = letter_open_task(letter=letter, node_name="onboard")
    if task is None:
        return
    with LetterFlow.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        _done_without_owner(task)


def _done_without_owner(task) -> None:
    """Mark an open task done with no owner: done by the applicant or member, not by
    a staff user (that is how the history shows it). Inside the process's lock."""
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(None)
    if task.status != STATUS.STARTED:
        activation.start(None)
    activation.execute()


def letter_process_cancel(letter) -> None:
    """The letter was withdrawn: cancel its open tasks and close the process."""
    process = LetterProcess.objects.filter(letter=letter).first()
    if process is not None and process.finished is None:
        LetterFlow.instance.cancel(process)


def nomination_process_start(nomination) -> NominationProcess:
    """The nominee accepted: start the review with a screening task."""
    return NominationFlow.start.run(nomination=nomination)


def nomination_process_cancel(nomination) -> None:
    """The nomination was withdrawn: cancel its open tasks and close the process."""
    process = NominationProcess.objects.filter(nomination=nomination).first()
    if process is not None and process.finished is None:
        NominationFlow.instance.cancel(process)


def reconfirmation_follow_up_start(organisation) -> ReconfirmationProcess | None:
    """A yearly re-confirmation is unanswered after 60 days: give the Secretariat a
    follow-up task, unless one is still open for the member."""
    open_ = ReconfirmationProcess.objects.filter(organisation=organisation, finished__isnull=True)
    if open_.exists():
        return None
    return ReconfirmationFlow.start.run(organisation=organisation)


def reconfirmation_follow_up_close(organisation) -> None:
    """The member confirmed after all: its open follow-up task is done, with no
    owner, which the history shows as done by the member (nothing left to chase)."""
    process = ReconfirmationProcess.objects.filter(
        organisation=organisation, finished__isnull=True
    ).first()
    if process is None:
        return
    with ReconfirmationFlow.lock(process.pk), transaction.atomic():
        for task in process.task_set.filter(
            flow_task="review/flows.ReconfirmationFlow.follow_up", status__in=ACTIVE
        ):
            _done_without_owner(task)


# Which process step each applicant-side event moves (event -> step).
STEPS = {
    "letter_submitted": letter_process_start,
    "letter_resubmitted": letter_process_resubmitted,
    "letter_onboarding_completed": letter_process_onboarded,
    "letter_withdrawn": letter_process_cancel,
    "nomination_accepted": nomination_process_start,
    "nomination_withdrawn": nomination_process_cancel,
    "member_reconfirmation_overdue": reconfirmation_follow_up_start,
    "member_reconfirmed": reconfirmation_follow_up_close,
}


def on_event(name: str, obj, **fields) -> None:
    """Subscriber of ``applications.events``: run the step ``STEPS`` names, if any."""
    step = STEPS.get(name)
    if step is not None:
        step(obj)
