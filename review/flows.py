"""The review flow of a letter: screening, a wait for changes, decision, onboarding.

Nodes only route and call services; they never set a letter's fields.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from applications.choices import LetterStatus, NominationStatus
from applications.models import Letter, Nomination

from .models import LetterProcess, NominationProcess, ReconfirmationProcess
from .views import tasks as views


def letter_status(activation) -> str:
    """The letter's state as committed by the service that just ran (not a cached copy)."""
    return Letter.objects.values_list("status", flat=True).get(pk=activation.process.letter_id)


class StaffTask(flow.View):
    """A staff task whose viewflow pages (index, detail, assign confirmation) lead to
    our own task page (``review:task``), where the letter is read before claiming."""

    index_view_class = views.ToTaskPage
    detail_view_class = views.ToTaskPage
    assign_view_class = views.AssignOrTaskPage


class DecisionNode(StaffTask):
    """The committee's decision: never taken or done by the letter's screener."""

    subject_model = Letter

    def screener_id(self, task):
        return self.subject_model.objects.values_list("screened_by_id", flat=True).get(
            process__pk=task.process_id
        )

    def can_assign(self, user, task):
        screened_by = self.screener_id(task)
        if user is not None and user.pk == screened_by:
            return False
        return super().can_assign(user, task)

    def can_execute(self, user, task):
        screened_by = self.screener_id(task)
        if user is not None and user.pk == screened_by:
            return False
        return super().can_execute(user, task)


class LetterFlow(flow.Flow):
    process_class = LetterProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Letter of interest")
    process_description = _("Screening, decision and onboarding of a letter of interest.")
    summary_template = "{{ process.letter.organisation_name }}"

    start = (
        flow.StartHandle(this.start_process)
        .Annotation(title=_("Letter received"))
        .Next(this.screen)
    )

    screen = (
        StaffTask(views.ScreenView.as_view())
        .Annotation(title=_("Screening"), summary_template="{{ process.letter.organisation_name }}")
        .Permission("applications.screen_letter")
        .Next(this.after_screening)
    )

    after_screening = (
        flow.Switch()
        .Annotation(title=_("Screening outcome"))
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
        .Annotation(title=_("Decision outcome"))
        .Then(this.onboard)
        .Else(this.end)
    )

    onboard = (
        StaffTask(views.OnboardView.as_view())
        .Annotation(
            title=_("Onboarding"), summary_template="{{ process.letter.organisation_name }}"
        )
        .Permission("applications.onboard_letter")
        .Next(this.end)
    )

    end = flow.End().Annotation(title=_("Review closed"))

    def start_process(self, activation, letter):
        activation.process.letter = letter
        return activation.process

    def on_resubmitted(self, activation):
        return activation.process


def nomination_status(activation) -> str:
    return Nomination.objects.values_list("status", flat=True).get(
        pk=activation.process.nomination_id
    )


class NominationDecisionNode(DecisionNode):
    """The committee's decision on a nomination: never by its screener."""

    subject_model = Nomination


class NominationFlow(flow.Flow):
    """Screening, decision and committee onboarding of an accepted nomination.

    It starts when the nominee accepts; before that the nomination only waits
    for the nominee's answer, which is not staff work.
    """

    process_class = NominationProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Nomination to the Management Committee")
    process_description = _("Screening, decision and committee onboarding of a nomination.")
    summary_template = "{{ process.nomination.nominee_name }}"

    start = (
        flow.StartHandle(this.start_process)
        .Annotation(title=_("Nomination received"))
        .Next(this.screen)
    )

    screen = (
        StaffTask(views.NominationScreenView.as_view())
        .Annotation(title=_("Screening"), summary_template="{{ process.nomination.nominee_name }}")
        .Permission("applications.screen_nomination")
        .Next(this.decide)
    )

    decide = (
        NominationDecisionNode(views.NominationDecideView.as_view())
        .Annotation(title=_("Decision"), summary_template="{{ process.nomination.nominee_name }}")
        .Permission("applications.decide_nomination")
        .Next(this.after_decision)
    )

    after_decision = (
        flow.If(lambda activation: nomination_status(activation) == NominationStatus.APPROVED)
        .Annotation(title=_("Decision outcome"))
        .Then(this.onboard)
        .Else(this.end)
    )

    onboard = (
        StaffTask(views.NominationOnboardView.as_view())
        .Annotation(
            title=_("Committee onboarding"),
            summary_template="{{ process.nomination.nominee_name }}",
        )
        .Permission("applications.onboard_nomination")
        .Next(this.end)
    )

    end = flow.End().Annotation(title=_("Review closed"))

    def start_process(self, activation, nomination):
        activation.process.nomination = nomination
        return activation.process


class ReconfirmationFlow(flow.Flow):
    """The Secretariat follows up a yearly re-confirmation unanswered for 60 days:
    one task, done with a note (the member contacted, or its confirmation had);
    the membership is never ended by it. Staff work it from their inbox on our task
    page (``review:task``) only: it is not mounted on viewflow's site, which has
    nothing to add for a one-step flow."""

    process_class = ReconfirmationProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Yearly re-confirmation follow-up")
    process_description = _("The Secretariat contacts a member that has not confirmed.")
    summary_template = "{{ process.organisation.name }}"

    start = flow.StartHandle(this.start_process).Next(this.follow_up)

    follow_up = (
        StaffTask(views.ReconfirmationFollowUpView.as_view())
        .Annotation(
            title=_("Re-confirmation follow-up"),
            summary_template="{{ process.organisation.name }}",
        )
        .Permission("review.follow_up_reconfirmation")
        .Next(this.end)
    )

    end = flow.End()

    def start_process(self, activation, organisation):
        activation.process.organisation = organisation
        return activation.process
