"""Reads on letters, for views of this app and of others."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_fsm_log.models import StateLog

from .choices import LetterStatus
from .models import Attachment, Letter, Organisation

# What an applicant reads for each state: plain words, no internal jargon.
APPLICANT_STATUS_TEXT = {
    LetterStatus.SUBMITTED: _(
        "We have received your letter. The Technical Secretariat will read it."
    ),
    LetterStatus.REVIEWED: _("The Secretariat has read your letter; the committee will decide."),
    LetterStatus.CHANGES_REQUESTED: _("We need some changes before we can continue."),
    LetterStatus.APPROVED: _("Your organisation has been accepted as a member."),
    LetterStatus.REJECTED: _("Your letter was not approved."),
    LetterStatus.ONBOARDED: _("Your organisation is a member of the Alliance."),
    LetterStatus.WITHDRAWN: _("You withdrew this letter."),
}


def letter_get_by_public_id(public_id) -> Letter | None:
    return (
        Letter.objects.select_related("organisation", "screened_by", "decided_by")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .filter(public_id=public_id)
        .first()
    )


def letter_history(letter: Letter):
    """The audit rows of a letter, oldest first, with who acted."""
    return StateLog.objects.for_(letter).select_related("by").order_by("timestamp", "pk")


def letters_for_email(email: str):
    return Letter.objects.filter(contact_email__iexact=email.strip())


def directory_members():
    """Member organisations that agreed to be listed, for the public directory."""
    return Organisation.objects.filter(public_listing=True, member_since__isnull=False).order_by(
        "name"
    )
