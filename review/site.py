"""The staff frontend: viewflow's Material site with the letter flow's inbox."""

from django.utils.translation import gettext_lazy as _
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset

from .flows import LetterFlow

site = Site(
    title=_("Alliance for Care: review"),
    viewsets=[
        FlowAppViewset(LetterFlow, icon="mail", title=_("Letters of interest")),
    ],
)
