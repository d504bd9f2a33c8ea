"""The steps every transition service takes, for letters and nominations alike:
lock the row, check the transition, and find the audit row it wrote."""

from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm
from django_fsm_log.models import StateLog

from .exceptions import NotPermitted, TransitionNotAllowed


def lock(obj):
    """The object's row, locked until the transaction ends (``select_for_update``)."""
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def check(obj, method, by, *, refused: str) -> None:
    """Refuse a transition the state or the user's role does not allow.

    ``refused`` is the message for a state that does not allow it, with
    ``%(status)s`` for the object's current state.
    """
    if not can_proceed(method):
        raise TransitionNotAllowed(refused % {"status": obj.get_status_display()})
    if by is not None and not has_transition_perm(method, by):
        raise NotPermitted(_("Your role does not allow this step."))


def last_log(obj) -> StateLog:
    """The audit row of the transition just applied to ``obj``."""
    return StateLog.objects.for_(obj).order_by("-pk").first()
