"""What staff read of a letter's or nomination's audit trail and changes: labels in
the reader's language and people's names, never raw keys or usernames."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

TRANSITION_LABELS = {
    "submit": _("Submission"),
    "resubmit": _("Resubmission"),
    "screen": _("Screening"),
    "request_changes": _("Screening"),
    "approve": _("Decision"),
    "reject": _("Decision"),
    "onboard": _("Onboarding"),
    "withdraw": _("Withdrawal"),
    "accept": _("The nominee's answer"),
    "decline": _("The nominee's answer"),
    "lapse": _("Closing of the call"),
}


def person(user) -> str:
    """A staff member as people know them: their name, or their username if unnamed."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class HistoryRow:
    timestamp: datetime
    step: str
    before: str
    after: str
    by: str
    description: str


def history_rows(logs, statuses) -> list[HistoryRow]:
    """The audit rows (django-fsm-log ``StateLog``) as sentences' parts: the step, the
    states before and after (labels of ``statuses``, a TextChoices), and who."""
    labels = dict(statuses.choices)
    rows = []
    for log in logs:
        rows.append(
            HistoryRow(
                timestamp=log.timestamp,
                step=str(TRANSITION_LABELS.get(log.transition, log.transition)),
                before=str(labels.get(log.source_state, log.source_state or "—")),
                after=str(labels.get(log.state, log.state or "—")),
                by=person(log.by),
                description=log.description or "",
            )
        )
    return rows
