"""Reads on letters, for views of this app and of others."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_fsm_log.models import StateLog

from applications.choices import LetterStatus, PriorityArea
from applications.members.models import Organisation
from applications.questions.selectors import answer_changes

from .models import (
    LETTER_CONTENT_FIELDS,
    Attachment,
    Letter,
    OnboardingDocument,
    OnboardingDocumentKind,
)

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


def letter_by_idempotency_key(key) -> Letter | None:
    """The letter a form with this idempotency key already sent, if any."""
    try:
        return Letter.objects.filter(idempotency_key=key).first()
    except (ValueError, ValidationError):
        return None


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


@dataclass(frozen=True)
class Match:
    kind: str  # "letter" or "member"
    pk: int
    name: str
    status: str
    reasons: tuple[str, ...]


def letter_matches(letter: Letter) -> list[Match]:
    """Other letters and members that look like the same organisation."""
    keys = {
        "name_key": letter.name_key,
        "website_domain": letter.website_domain,
        "email_domain": letter.email_domain,
    }
    reason_labels = {
        "name_key": _("same name"),
        "website_domain": _("same website"),
        "email_domain": _("same e-mail domain"),
    }
    matches = []
    letter_query = Q()
    for field, value in keys.items():
        if value:
            letter_query |= Q(**{field: value})
    if letter_query:
        for other in Letter.objects.filter(letter_query).exclude(pk=letter.pk).order_by("pk"):
            reasons = tuple(
                str(reason_labels[f]) for f, v in keys.items() if v and getattr(other, f) == v
            )
            matches.append(
                Match(
                    "letter", other.pk, other.organisation_name, other.get_status_display(), reasons
                )
            )
    member_query = Q()
    if letter.name_key:
        member_query |= Q(name_key=letter.name_key)
    if letter.website_domain:
        member_query |= Q(website_domain=letter.website_domain)
    if member_query:
        members = Organisation.objects.filter(member_query, member_since__isnull=False)
        for member in members.exclude(letters=letter).order_by("pk"):
            reasons = tuple(
                str(reason_labels[f])
                for f in ("name_key", "website_domain")
                if keys[f] and getattr(member, f) == keys[f]
            )
            matches.append(Match("member", member.pk, member.name, str(_("Member")), reasons))
    return matches


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: object
    after: object


def shown_value(field: str, value):
    """A stored value of a letter's field as a reader sees it, in the active language:
    a choice's label, a country's name, the priority areas' labels, yes or no."""
    if value is None or value == "" or value == []:
        return value
    if field == "country":
        return countries.name(value) or value
    if field == "priority_areas":
        labels = dict(PriorityArea.choices)
        return ", ".join(str(labels.get(key, key)) for key in value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    model_field = Letter._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return value


def letter_changes(letter: Letter) -> list[Change]:
    """Field-by-field differences between the last two submissions of a letter, with
    the values as a reader sees them (``shown_value``)."""
    revisions = list(letter.revisions.order_by("-number")[:2])
    if len(revisions) < 2:
        return []
    after, before = revisions[0].data, revisions[1].data
    changes = [
        Change(
            field,
            str(Letter._meta.get_field(field).verbose_name),
            shown_value(field, before.get(field)),
            shown_value(field, after.get(field)),
        )
        for field in LETTER_CONTENT_FIELDS
        if before.get(field) != after.get(field)
    ]
    for change in answer_changes(before.get("answers"), after.get("answers")):
        changes.append(Change(change.field, change.label, change.before, change.after))
    return changes


def onboarding_documents(language: str) -> list[OnboardingDocument]:
    """The documents a new member receives: of each kind, the active ones in its
    language; without one, the Spanish ones; without those, any."""
    active = list(OnboardingDocument.objects.filter(is_active=True))
    chosen: list[OnboardingDocument] = []
    for kind in OnboardingDocumentKind.values:
        of_kind = [document for document in active if document.kind == kind]
        chosen += (
            [d for d in of_kind if d.language == language]
            or [d for d in of_kind if d.language == "es"]
            or of_kind
        )
    return chosen


def brand_manual_configured() -> bool:
    return OnboardingDocument.objects.filter(
        is_active=True, kind=OnboardingDocumentKind.BRAND_MANUAL
    ).exists()


def onboarding_document_get(pk: int) -> OnboardingDocument | None:
    return OnboardingDocument.objects.filter(pk=pk, is_active=True).first()
