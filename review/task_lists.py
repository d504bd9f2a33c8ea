"""viewflow's inbox and queue for letters, made to scale.

The stock views render each row's summary through a template that loads the
process and its letter (two queries a row), and their filter offers every
process in the queue as a choice, so the page grows with the queue. These
lists join the letter in the one list query, show its constituency, country
and deadline, and filter on letter fields with a fixed set of choices.
"""

import django_filters
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from viewflow.workflow.flow.views import FlowInboxListView, FlowQueueListView
from viewflow.workflow.models import Task

from applications.choices import Constituency

from . import selectors

LETTER = "process__letterprocess__letter"


class LetterTaskFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(
        field_name=f"{LETTER}__organisation_name", lookup_expr="icontains", label=_("Organisation")
    )
    constituency = django_filters.ChoiceFilter(
        field_name=f"{LETTER}__constituency", choices=Constituency.choices, label=_("Constituency")
    )
    country = django_filters.ChoiceFilter(
        field_name=f"{LETTER}__country", choices=list(countries), label=_("Country")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Task
        fields = []

    def filter_overdue(self, queryset, name, value):
        overdue = selectors.overdue_q(node_field="flow_task", created_field="created")
        if value is True:
            return queryset.filter(overdue)
        if value is False:
            return queryset.exclude(overdue)
        return queryset


class LetterTaskColumns:
    columns = ("task_id", "task_title", "organisation", "constituency", "country", "due")
    filterset_class = LetterTaskFilter

    @property
    def queryset(self):
        return super().queryset.select_related(LETTER)

    def organisation(self, task):
        return task.process.letterprocess.letter.organisation_name

    organisation.short_description = _("Organisation")

    def constituency(self, task):
        return task.process.letterprocess.letter.get_constituency_display()

    constituency.short_description = _("Constituency")

    def country(self, task):
        return task.process.letterprocess.letter.country.name

    country.short_description = _("Country")

    @cached_property
    def deadline_days(self):
        return selectors.deadline_days()

    def due(self, task):
        due, overdue = selectors.task_due(
            task.flow_task.name, task.created, days=self.deadline_days
        )
        if due is None:
            return ""
        text = formats.date_format(timezone.localtime(due), "SHORT_DATE_FORMAT")
        if overdue:
            return format_html("<strong>{}</strong> {}", _("Overdue"), text)
        return text

    due.short_description = _("Due")


class LetterInboxView(LetterTaskColumns, FlowInboxListView):
    pass


class LetterQueueView(LetterTaskColumns, FlowQueueListView):
    pass
