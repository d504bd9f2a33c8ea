from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Imported here, not at the top: they import models, which are not ready
        # while the app registry loads this module.
        from anymail.signals import tracking
        from django.core.signals import setting_changed

        from applications import events

        from . import outbox, services, webhooks  # noqa: F401 - webhooks registers its deploy check
        from .tracking import record_tracking_event

        # The domain's events, through services.EVENTS (who hears of each).
        events.subscribe(services.on_event)
        # The only signals of the app, both at its edges: the ESP's delivery
        # reports, and settings swapped by tests (the worker's cached connection).
        tracking.connect(record_tracking_event, dispatch_uid="notifications.tracking")
        setting_changed.connect(outbox.reset_on_setting_change, dispatch_uid="notifications.tasks")
