"""The task pages of the review flows (the form beside the letter or nomination it
completes) and the one staff inbox of letters' and nominations' tasks."""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from applications.choices import Recommendation
from applications.exceptions import DomainError
from applications.letters import services as letter_services
from applications.nominations import services
from notifications.services import letter_context as email_context
from notifications.services import render_email

from .. import forms
from ..selectors import deadline_days, staff_tasks, task_due
from .letters import letter_context
from .nominations import nomination_context


class TaskFormView(generic.FormView):
    """A task page that completes its task by running one service (``perform``),
    then goes to the page of the letter or nomination (``subject_url``)."""

    success_message = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["task"] = self.request.activation.task
        return context

    def perform(self, form):
        raise NotImplementedError

    def subject_url(self) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.perform(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        self.request.activation.execute()
        messages.success(self.request, self.success_message)
        return redirect(self.subject_url())


class LetterTaskView(TaskFormView):
    """The task pages of a letter: show it, preview the applicant's email, run one service."""

    template_name = "review/task.html"

    @property
    def letter(self):
        return self.request.activation.process.letter

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

    @property
    def nomination(self):
        return self.request.activation.process.nomination

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


class TaskInboxView(LoginRequiredMixin, generic.TemplateView):
    """One inbox for the staff: letters' and nominations' tasks together."""

    template_name = "review/task_inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(staff_tasks(self.request.user), 25).get_page(self.request.GET.get("page"))
        rows = []
        days = deadline_days()
        for task in page.object_list:
            node = task.flow_task.name
            if hasattr(task.process, "letterprocess"):
                letter = task.process.letterprocess.letter
                kind, subject, namespace = _("Letter"), letter.organisation_name, "letter"
                due, overdue = task_due(node, task.created, days=days)
            else:
                nomination = task.process.nominationprocess.nomination
                kind, namespace = _("Nomination"), "nomination"
                subject = f"{nomination.nominee_name} ({nomination.nominee_organisation.name})"
                due, overdue = None, False
            rows.append(
                {
                    "kind": kind,
                    "subject": subject,
                    "title": task.flow_task.task_title,
                    "owner": task.owner,
                    "created": task.created,
                    "due": due,
                    "overdue": overdue,
                    "url": reverse(f"{namespace}:{node}:index", args=[task.process_id, task.pk]),
                }
            )
        context.update(page_obj=page, rows=rows)
        return context
