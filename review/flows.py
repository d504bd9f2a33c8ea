"""The review flow of a letter: screening, a wait for changes, decision, onboarding.

Nodes only route and call services; they never set a letter's fields.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from applications.choices import LetterStatus
from applications.models import Letter

from . import views
from .models import LetterProcess


def letter_status(activation) -> str:
    """The letter's state as committed by the service that just ran (not a cached copy)."""
    return Letter.objects.values_list("status", flat=True).get(pk=activation.process.letter_id)


def _screener_id(task):
    return Letter.objects.values_list("screened_by_id", flat=True).get(process__pk=task.process_id)


class DecisionNode(flow.View):
    """The committee's decision: never taken or done by the letter's screener."""

    def can_assign(self, user, task):
        screened_by = _screener_id(task)
        if user is not None and user.pk == screened_by:
            return False
        return super().can_assign(user, task)

    def can_execute(self, user, task):
        screened_by = _screener_id(task)
        if user is not None and user.pk == screened_by:
            return False
        return super().can_execute(user, task)


class LetterFlow(flow.Flow):
    process_class = LetterProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Letter of interest")
    process_description = _("Screening, decision and onboarding of a letter of interest.")
    summary_template = "{{ process.letter.organisation_name }}"

    start = flow.StartHandle(this.start_process).Next(this.screen)

    screen = (
        flow.View(views.ScreenView.as_view())
        .Annotation(title=_("Screening"), summary_template="{{ process.letter.organisation_name }}")
        .Permission("applications.screen_letter")
        .Next(this.after_screening)
    )

    after_screening = (
        flow.Switch()
        .Case(
            this.await_changes,
            lambda activation: letter_status(activation) == LetterStatus.CHANGES_REQUESTED,
        )
        .Default(this.decide)
    )

    await_changes = (
        flow.Handle(this.on_resubmitted)
        .Annotation(title=_("Waiting for the applicant's changes"))
        .Next(this.screen)
    )

    decide = (
        DecisionNode(views.DecideView.as_view())
        .Annotation(title=_("Decision"), summary_template="{{ process.letter.organisation_name }}")
        .Permission("applications.decide_letter")
        .Next(this.after_decision)
    )

    after_decision = (
        flow.If(lambda activation: letter_status(activation) == LetterStatus.APPROVED)
        .Then(this.onboard)
        .Else(this.end)
    )

    onboard = (
        flow.View(views.OnboardView.as_view())
        .Annotation(
            title=_("Onboarding"), summary_template="{{ process.letter.organisation_name }}"
        )
        .Permission("applications.onboard_letter")
        .Next(this.end)
    )

    end = flow.End()

    def start_process(self, activation, letter):
        activation.process.letter = letter
        return activation.process

    def on_resubmitted(self, activation):
        return activation.process
