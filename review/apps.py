from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self):
        # Imported here, not at the top: process.py imports the flows and models,
        # which are not ready while the app registry loads this module.
        from applications import events

        from . import process

        # Applicant-side events move the viewflow processes (process.STEPS).
        events.subscribe(process.on_event)
