from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from anymail.signals import tracking
        from django.core.signals import setting_changed

        from . import tasks, webhooks  # noqa: F401 - webhooks registers its deploy check
        from .tracking import record_tracking_event

        # The only signals of the app, both at its edges: the ESP's delivery
        # reports, and settings swapped by tests (the worker's cached connection).
        tracking.connect(record_tracking_event, dispatch_uid="notifications.tracking")
        setting_changed.connect(tasks.reset_on_setting_change, dispatch_uid="notifications.tasks")
