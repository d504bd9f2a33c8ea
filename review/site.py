"""The staff frontend: viewflow's Material site with the letter flow's inbox."""

from django.utils.translation import gettext_lazy as _
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset

from .flows import LetterFlow, NominationFlow
from .task_lists import LetterInboxView, LetterQueueView


class LetterFlowViewset(FlowAppViewset):
    inbox_view_class = LetterInboxView
    queue_view_class = LetterQueueView


site = Site(
    title=_("Alliance for Care: review"),
    viewsets=[
        LetterFlowViewset(LetterFlow, icon="mail", title=_("Letters of interest")),
        FlowAppViewset(NominationFlow, icon="how_to_vote", title=_("Nominations")),
    ],
)
