from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        # The domain's own listener: nominations hears that a membership ended
        # (members may not import nominations' services, ARCHITECTURE.md rule 3c).
        from applications import events
        from applications.nominations import services as nominations

        events.subscribe(nominations.on_event)
        # The ESP's inbound webhook (anymail's signal): replies to our emails.
        from anymail.signals import inbound

        from .replies import on_inbound

        inbound.connect(on_inbound, dispatch_uid="applications.replies")
