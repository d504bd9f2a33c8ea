"""The Secretariat's Settings area (deadlines, reminders, the eligibility checklist,
the communities of practice) and its extra questions, audited like the texts:
every save is a version (who, when, what changed) and any can be restored.

Only users with ``applications.edit_texts`` get in; everyone else logged in gets 403.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from applications.configuration import defaults
from applications.configuration import selectors as configuration
from applications.configuration import services as configuration_services
from applications.exceptions import DomainError
from applications.models import SettingVersion
from applications.questions import selectors as questions
from applications.questions import services as question_services
from applications.versions import diff_lines

from .. import secretariat_forms as forms
from .texts import SecretariatLeadMixin

FORMS = {
    defaults.DEADLINES: forms.DeadlinesForm,
    defaults.REMINDERS: forms.RemindersForm,
    defaults.CHECKLIST: forms.ChecklistForms,
    defaults.COMMUNITIES: forms.CommunityForms,
}
FORMSETS = (defaults.CHECKLIST, defaults.COMMUNITIES)


def _as_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def history_rows(key: str, *, default) -> list[dict]:
    """The versions of ``key``, newest first, each with its diff from the one before."""
    rows = []
    before = _as_text(default)
    for version in reversed(configuration.setting_history(key)):
        after = _as_text(version.value)
        rows.append({"version": version, "diff": diff_lines(before, after)})
        before = after
    rows.reverse()
    return rows


class SettingsView(SecretariatLeadMixin, generic.TemplateView):
    """The values in use of every setting, with a link to change each."""

    template_name = "review/configuration/settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = {key: configuration.setting_version(key) for key in defaults.KEYS}
        context.update(
            deadlines=configuration.deadline_days(),
            reminder_days=configuration.onboarding_reminder_days(),
            checklist=configuration.checklist_items(),
            communities=configuration.communities(),
            sections=[
                {
                    "key": key,
                    "title": defaults.TITLES[key],
                    "version": versions[key],
                    "url": reverse("review:setting_edit", args=[key]),
                }
                for key in defaults.KEYS
            ],
        )
        return context


class SettingEditView(SecretariatLeadMixin, generic.TemplateView):
    """Change one setting; its history with restore."""

    template_name = "review/configuration/setting_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["key"] not in defaults.KEYS:
            raise Http404(_("There is no such setting."))
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        key = self.kwargs["key"]
        form_class = FORMS[key]
        value = configuration.setting_value(key)
        if key in FORMSETS:
            return form_class(data, initial=form_class.initial_for(value), prefix="items")
        return form_class(data, initial=form_class.initial_for(value))

    def page(self, form, status=200):
        key = self.kwargs["key"]
        context = self.get_context_data(
            key=key,
            title=defaults.TITLES[key],
            form=form,
            is_formset=key in FORMSETS,
            with_required=key == defaults.CHECKLIST,
            history=history_rows(key, default=defaults.default(key)),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, key):
        return self.page(self.make_form())

    def post(self, request, key):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        value = form.items() if key in FORMSETS else form.value()
        try:
            saved = configuration_services.setting_save(key=key, value=value, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return self.page(form, status=400)
        if saved:
            messages.success(request, _("Saved as version %(n)d.") % {"n": saved.number})
        else:
            messages.info(request, _("Nothing changed: no new version was saved."))
        return redirect("review:setting_edit", key=key)


class SettingRestoreView(SecretariatLeadMixin, generic.View):
    http_method_names = ["post"]

    def post(self, request, pk):
        version = get_object_or_404(SettingVersion, pk=pk, key__in=defaults.KEYS)
        try:
            restored = configuration_services.setting_restore(version=version, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if restored:
                messages.success(
                    request,
                    _("Version %(n)d is in use again (saved as version %(new)d).")
                    % {"n": version.number, "new": restored.number},
                )
            else:
                messages.info(request, _("This value is already in use."))
        return redirect("review:setting_edit", key=version.key)


# Extra questions -------------------------------------------------------------------


class QuestionListView(SecretariatLeadMixin, generic.TemplateView):
    template_name = "review/configuration/question_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["questions"] = questions.questions_all()
        return context


class QuestionEditView(SecretariatLeadMixin, generic.TemplateView):
    """Add a question (no ``pk``) or change one; its history below."""

    template_name = "review/configuration/question_form.html"

    def get_question(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(questions.questions_all(), pk=pk) if pk else None

    def page(self, form, question, status=200):
        history = []
        if question is not None:
            key = f"question/{question.pk}"
            history = history_rows(key, default={})
        context = self.get_context_data(form=form, question=question, history=history)
        return self.render_to_response(context, status=status)

    def get(self, request, pk=None):
        question = self.get_question()
        initial = forms.QuestionForm.initial_for(question) if question else {}
        form = forms.QuestionForm(initial=initial, question=question)
        return self.page(form, question)

    def post(self, request, pk=None):
        question = self.get_question()
        form = forms.QuestionForm(request.POST, question=question)
        if not form.is_valid():
            return self.page(form, question, status=400)
        try:
            question = question_services.question_save(
                question=question, data=form.cleaned_data, by=request.user
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return self.page(form, question, status=400)
        messages.success(request, _("The question was saved."))
        return redirect("review:question_edit", pk=question.pk)


class QuestionRetireView(SecretariatLeadMixin, generic.View):
    http_method_names = ["post"]

    def post(self, request, pk):
        question = get_object_or_404(questions.questions_all(), pk=pk)
        try:
            question_services.question_retire(question=question, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The question was retired: new forms no longer ask it; answers stay."),
            )
        return redirect("review:question_list")
