"""The steps every transition service takes, for letters and nominations alike:
lock the row, check the transition, and find the audit row it wrote."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm
from django_fsm_log.models import StateLog

from .exceptions import AlreadyDecided, FourEyesViolation, NotPermitted, TransitionNotAllowed

# The states of a decided letter or nomination (LetterStatus and NominationStatus
# share these stable keys).
DECIDED = ("approved", "rejected", "onboarded")


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


def check_can_decide(
    obj, by, *, permission: str, already_decided: str, screened: str, not_permitted: str
) -> None:
    """Raise if ``by`` may not decide ``obj`` now: someone decided it already, ``by``
    screened it (the four-eyes rule), or ``by`` lacks ``permission``.

    The messages are each kind's own; ``already_decided`` takes ``%(name)s`` and
    ``%(date)s``.
    """
    if obj.status in DECIDED and obj.decided_by_id:
        decider = obj.decided_by
        raise AlreadyDecided(
            already_decided
            % {
                "name": decider.get_full_name() or decider.get_username(),
                "date": date_format(timezone.localtime(obj.decided_at), "DATETIME_FORMAT"),
            }
        )
    if by is not None and obj.screened_by_id == by.pk:
        raise FourEyesViolation(screened)
    if by is not None and not by.has_perm(permission):
        raise NotPermitted(not_permitted)


def last_log(obj) -> StateLog:
    """The audit row of the transition just applied to ``obj``."""
    return StateLog.objects.for_(obj).order_by("-pk").first()
