"""The task pages of the review flows (the form beside the letter or nomination it
completes) and the one staff inbox of letters' and nominations' tasks."""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic
from viewflow.workflow.flow.views import AssignTaskView
from viewflow.workflow.models import Task

from applications.choices import Recommendation
from applications.exceptions import DomainError
from applications.letters import services as letter_services
from applications.members import selectors as member_selectors
from applications.members import services as member_services
from applications.nominations import services
from notifications.services import letter_context as email_context
from notifications.services import render_email

from .. import forms
from ..selectors import ACTIVE, StaffTasks, deadline_days, screened_decisions, task_due
from ..task_actions import task_assign, task_complete
from .letters import letter_context
from .nominations import nomination_context
from .staff import decision_refusal, explain_denial

# What the task page lets its reader do.
MINE = "mine"  # assigned to them: the form
FREE = "free"  # nobody has it and they may take it: the form (completing takes it) and Claim
READ_ONLY = "read_only"  # someone else has it, or they may not take it: the reason


class TaskFormView(generic.FormView):
    """A task page that completes its task by running one service (``perform``),
    then goes to the page of the letter or nomination (``subject_url``).

    It is reached two ways: through our own task page (``task_page``, the one staff
    follow: the letter readable before anyone claims it, the form after it,
    claiming on the first action), and through viewflow's ``execute`` URL, which
    has already started the activation for the task's owner.
    """

    success_message = ""
    standalone = False
    view_permission = ""

    @property
    def task(self):
        return self.request.activation.task

    def task_state(self) -> tuple[str, str]:
        """(MINE, FREE or READ_ONLY, the reason shown when READ_ONLY)."""
        if not self.standalone:
            return MINE, ""
        task, user = self.task, self.request.user
        if task.owner_id == user.pk:
            return MINE, ""
        if task.flow_task.can_assign(user, task):
            return FREE, ""
        if task.flow_task.name == "decide":
            reason = decision_refusal(obj=self.subject(), user=user)
            if reason:
                return READ_ONLY, reason
        if task.owner_id:
            who = task.owner.get_full_name() or task.owner.get_username()
            return READ_ONLY, _("This task is assigned to %(who)s.") % {"who": who}
        return READ_ONLY, _("Your role does not include this task.")

    def subject(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state, reason = self.task_state()
        context.update(
            task=self.task,
            task_state=state,
            task_reason=reason,
            can_act=state in (MINE, FREE),
            page_url=self.request.path,
        )
        return context

    def post(self, request, *args, **kwargs):
        state, _reason = self.task_state()
        if state == READ_ONLY:
            raise PermissionDenied
        if "claim" in request.POST:
            try:
                task_assign(task=self.task, user=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The task is yours."))
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        raise NotImplementedError

    def subject_url(self) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            if self.standalone:
                # Takes the task for the user if it is free, then completes it:
                # the service and the flow's next step commit together.
                task_complete(
                    task=self.task, user=self.request.user, action=lambda: self.perform(form)
                )
            else:
                self.perform(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        if not self.standalone:
            self.request.activation.execute()
        messages.success(self.request, self.success_message)
        return redirect(self.subject_url())


class LetterTaskView(TaskFormView):
    """The task pages of a letter: show it, preview the applicant's email, run one service."""

    template_name = "review/task.html"
    view_permission = "applications.view_letter"

    @property
    def letter(self):
        return self.request.activation.process.letter

    def subject(self):
        return self.letter

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(letter_context(self.letter, self.request.user))
        return context

    def subject_url(self) -> str:
        return reverse("review:letter_detail", args=[self.letter.pk])

    def preview_event(self, form) -> tuple[str, dict] | None:
        """The applicant email this completion would send: (event, changed letter fields)."""
        return None

    def form_valid(self, form):
        if "preview" in self.request.POST:
            return self.render_to_response(
                self.get_context_data(form=form, preview=self.render_preview(form))
            )
        return super().form_valid(form)

    def render_preview(self, form) -> dict | None:
        """Render the applicant's email from the typed form, exactly as it would go out."""
        found = self.preview_event(form)
        if found is None:
            return None
        event, changes = found
        letter = copy.copy(self.letter)
        for field, value in changes.items():
            setattr(letter, field, value)
        return render_email(
            event=event,
            audience="applicant",
            language=letter.language,
            context=email_context(letter),
        )


class ScreenView(LetterTaskView):
    form_class = forms.ScreeningForm

    def preview_event(self, form):
        data = form.cleaned_data
        event = (
            "letter_changes_requested"
            if data["outcome"] == forms.SCREEN_CHANGES
            else "letter_reviewed"
        )
        return event, {"message_to_applicant": data["message"]}

    @property
    def success_message(self):
        return _("Screening recorded for %(name)s.") % {"name": self.letter.organisation_name}

    def perform(self, form):
        user, letter, data = self.request.user, self.letter, form.cleaned_data
        if data["outcome"] == forms.SCREEN_CHANGES:
            letter_services.letter_request_changes(
                letter=letter,
                by=user,
                message=data["message"],
                note=data["note"],
                checklist=form.checklist(),
            )
        else:
            letter_services.letter_screen(
                letter=letter,
                by=user,
                recommendation=Recommendation.APPROVE
                if data["outcome"] == forms.SCREEN_APPROVE
                else Recommendation.REJECT,
                note=data["note"],
                message=data["message"],
                checklist=form.checklist(),
            )


class DecideView(LetterTaskView):
    form_class = forms.DecisionForm

    def preview_event(self, form):
        data = form.cleaned_data
        event = "letter_approved" if data["decision"] == "approve" else "letter_rejected"
        return event, {"decision_reason": data["reason"]}

    @property
    def success_message(self):
        return _("Decision recorded for %(name)s.") % {"name": self.letter.organisation_name}

    def perform(self, form):
        letter_services.letter_decide(
            letter=self.letter,
            by=self.request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )


class OnboardView(LetterTaskView):
    form_class = forms.OnboardingForm

    @property
    def success_message(self):
        return _("%(name)s is now a member.") % {"name": self.letter.organisation_name}

    def perform(self, form):
        letter_services.letter_onboard(
            letter=self.letter, by=self.request.user, note=form.cleaned_data["note"]
        )


class NominationTaskView(TaskFormView):
    """The task pages of a nomination: show it, run one service."""

    template_name = "review/nomination_task.html"
    view_permission = "applications.view_nomination"

    @property
    def nomination(self):
        return self.request.activation.process.nomination

    def subject(self):
        return self.nomination

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(nomination_context(self.nomination))
        return context

    def subject_url(self) -> str:
        return reverse("review:nomination_detail", args=[self.nomination.pk])


class NominationScreenView(NominationTaskView):
    form_class = forms.NominationScreeningForm

    @property
    def success_message(self):
        return _("Screening recorded for %(name)s.") % {"name": self.nomination.nominee_name}

    def perform(self, form):
        services.nomination_screen(
            nomination=self.nomination,
            by=self.request.user,
            recommendation=form.cleaned_data["recommendation"],
            note=form.cleaned_data["note"],
        )


class NominationDecideView(NominationTaskView):
    form_class = forms.NominationDecisionForm

    @property
    def success_message(self):
        return _("Decision recorded for %(name)s.") % {"name": self.nomination.nominee_name}

    def perform(self, form):
        services.nomination_decide(
            nomination=self.nomination,
            by=self.request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )


class NominationOnboardView(NominationTaskView):
    form_class = forms.NominationOnboardingForm

    @property
    def success_message(self):
        return _("%(name)s is now on the Management Committee.") % {
            "name": self.nomination.nominee_name
        }

    def perform(self, form):
        services.nomination_onboard(
            nomination=self.nomination, by=self.request.user, note=form.cleaned_data["note"]
        )


class ReconfirmationFollowUpView(TaskFormView):
    """The Secretariat's follow-up of an unanswered yearly re-confirmation: the
    member's contacts and history beside a note; done closes the task."""

    template_name = "review/reconfirmation_task.html"
    view_permission = "review.follow_up_reconfirmation"
    form_class = forms.ReconfirmationFollowUpForm

    @property
    def organisation(self):
        return self.request.activation.process.reconfirmationprocess.organisation

    def subject(self):
        return self.organisation

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.organisation
        context.update(
            member=member,
            contacts=member_selectors.member_contacts(member),
            history=member_selectors.member_history(member)[:10],
        )
        return context

    @property
    def success_message(self):
        return _("The follow-up of %(name)s is done.") % {"name": self.organisation.name}

    def perform(self, form):
        member_services.member_reconfirmation_follow_up(
            organisation=self.organisation,
            by=member_services.Actor(user=self.request.user),
            note=form.cleaned_data["note"],
        )

    def subject_url(self) -> str:
        return reverse("review:member_detail", args=[self.organisation.pk])


class TaskInboxView(LoginRequiredMixin, generic.TemplateView):
    """One inbox for the staff: letters' and nominations' tasks together."""

    template_name = "review/task_inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(StaffTasks(self.request.user), 25).get_page(self.request.GET.get("page"))
        rows = []
        days = deadline_days()
        for task in page.object_list:
            node = task.flow_task.name
            if hasattr(task.process, "letterprocess"):
                letter = task.process.letterprocess.letter
                kind, subject = _("Letter"), letter.organisation_name
                due, overdue = task_due(node, task.created, days=days)
            elif hasattr(task.process, "reconfirmationprocess"):
                kind = _("Member")
                subject = task.process.reconfirmationprocess.organisation.name
                due, overdue = None, False
            else:
                nomination = task.process.nominationprocess.nomination
                kind = _("Nomination")
                subject = f"{nomination.nominee_name} ({nomination.nominee_organisation.name})"
                # The same review deadlines as letters' (screening, decision, onboarding).
                due, overdue = task_due(node, task.created, days=days)
            rows.append(
                {
                    "kind": kind,
                    "subject": subject,
                    "title": task.flow_task.task_title,
                    "owner": task.owner,
                    "created": task.created,
                    "due": due,
                    "overdue": overdue,
                    "url": reverse("review:task", args=[task.pk]),
                }
            )
        context.update(page_obj=page, rows=rows, screened=self.screened_rows())
        return context

    def screened_rows(self) -> list[dict]:
        """Decisions left out of the user's tasks because they screened them."""
        rows = []
        for task in screened_decisions(self.request.user)[:50]:
            if hasattr(task.process, "letterprocess"):
                kind, subject = _("Letter"), task.process.letterprocess.letter.organisation_name
            else:
                nomination = task.process.nominationprocess.nomination
                kind, subject = _("Nomination"), nomination.nominee_name
            rows.append({"kind": kind, "subject": subject, "title": task.flow_task.task_title})
        return rows


_TASK_VIEWS: dict = {}


def task_page(request, task_pk: int):
    """The page of one open staff task, whoever holds it: the letter or nomination
    first, readable before claiming, then the form (for its owner, or for anyone
    who may take it: completing takes it), or the reason they cannot act."""
    # The process's letter or nomination in the same query: viewflow's activation
    # reaches it through these relations (``process.coerced``).
    task = get_object_or_404(
        Task.objects.select_related(
            "owner",
            "process__letterprocess__letter",
            "process__nominationprocess__nomination",
        ),
        pk=task_pk,
        flow_task_type="HUMAN",
    )
    view_class = getattr(getattr(task.flow_task, "view", None), "view_class", None)
    if view_class is None or not issubclass(view_class, TaskFormView):
        raise Http404
    if not request.user.has_perm(view_class.view_permission):
        raise PermissionDenied
    if task.status not in ACTIVE:
        raise PermissionDenied(explain_denial(request))
    request.activation = task.flow_task.activation_class(task)
    if view_class not in _TASK_VIEWS:
        _TASK_VIEWS[view_class] = view_class.as_view(standalone=True)
    return _TASK_VIEWS[view_class](request, task_pk=task_pk)


class ToTaskPage(generic.RedirectView):
    """viewflow's own pages of a task (its index, detail and the assign confirmation)
    lead to our task page, so that staff never land on a page of another style."""

    def get_redirect_url(self, *args, **kwargs):
        return reverse("review:task", args=[kwargs["task_pk"]])


class AssignOrTaskPage(AssignTaskView):
    """viewflow's assign URL: a POST takes the task as before; a GET shows our task page."""

    def get(self, request, *args, **kwargs):
        return redirect("review:task", task_pk=kwargs["task_pk"])
