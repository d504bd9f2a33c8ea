"""Writes on member organisations, for the letters and nominations that make and
use them (the CSV import writes through ``members.imports``)."""

from __future__ import annotations

import calendar
import hashlib
import hmac
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from applications import events
from applications.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from applications.roles import SECRETARIAT
from applications.transitions import last_log

from .models import ContactRole, MemberChange, MemberContact, MembershipStatus, Organisation


def member_create(
    *,
    name: str,
    acronym: str,
    constituency: str,
    country,
    website: str,
    description: str,
    contact_email: str,
    language: str,
    priority_areas: list[str],
    contact_name: str = "",
) -> Organisation:
    """The organisation of an approved letter: not yet a member, not listed.

    Changes: a new ``Organisation`` with its letter's contact as focal point.
    Sends nothing.
    """
    organisation = Organisation.objects.create(
        name=name,
        acronym=acronym,
        constituency=constituency,
        country=country,
        website=website,
        description=description,
        contact_email=contact_email,
        language=language,
        priority_areas=priority_areas,
    )
    MemberContact.objects.create(
        organisation=organisation,
        name=contact_name,
        role=ContactRole.FOCAL_POINT,
        email=contact_email,
        language=language,
    )
    return organisation


def member_admit(*, organisation: Organisation, public_listing: bool) -> Organisation:
    """Make an organisation a member as of today, listed in the directory or not.

    Changes: ``member_since`` and ``public_listing``. Sends nothing.
    """
    organisation.member_since = timezone.localdate()
    organisation.public_listing = public_listing
    organisation.save(update_fields=["member_since", "public_listing"])
    return organisation


def member_profile_update(
    *,
    organisation: Organisation,
    name: str,
    description: str,
    website: str,
    logo_key: str | None = None,
) -> Organisation:
    """Set the directory profile a member confirmed (a new logo only if given).

    Changes: name, description, website and logo. Sends nothing.
    """
    organisation.name = name
    organisation.description = description
    organisation.website = website
    if logo_key:
        organisation.logo_key = logo_key
    organisation.save(update_fields=["name", "description", "website", "logo_key"])
    return organisation


def member_touch(*, organisation: Organisation) -> None:
    """Mark the member as changed, which renews the cached directory pages
    (they list its committee members too)."""
    organisation.save(update_fields=["updated_at"])


# --- Changes by the member (its signed link) or by staff, each audited --------


class Actor:
    """Who makes a change: a staff user, or a member contact through its link."""

    def __init__(self, *, user=None, contact: MemberContact | None = None):
        self.user = user
        self.contact = contact

    @property
    def is_secretariat(self) -> bool:
        user = self.user
        return bool(
            user is not None
            and user.is_active
            and (user.is_superuser or user.groups.filter(name=SECRETARIAT).exists())
        )

    def audit(self, organisation, *, action: str, changes=None, note: str = "") -> MemberChange:
        return MemberChange.objects.create(
            organisation=organisation,
            by_user=self.user,
            by_contact=self.contact.email if self.contact else "",
            action=action,
            changes=changes or {},
            note=note,
        )


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _check_may_edit(organisation: Organisation, by: Actor) -> None:
    if by.contact is not None:
        if by.contact.organisation_id != organisation.pk:
            raise NotPermitted(_("This link is not for this member."))
        if organisation.membership_status == MembershipStatus.ENDED:
            raise TransitionNotAllowed(_("This membership has ended; it cannot be changed."))
    elif not by.is_secretariat:
        raise NotPermitted(_("Your role does not allow this step."))


def _diff(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)
    }


def _mirror_focal_point(organisation: Organisation) -> None:
    """Keep the organisation's own address and language those of its focal point."""
    focal = organisation.contacts.filter(role=ContactRole.FOCAL_POINT).first()
    if focal and (organisation.contact_email, organisation.language) != (
        focal.email,
        focal.language,
    ):
        organisation.contact_email = focal.email
        organisation.language = focal.language
        organisation.save(update_fields=["contact_email", "language"])


def member_focal_point(organisation: Organisation) -> MemberContact:
    """The member's focal point; one is made from its own address if it has none
    (members created before contacts, or by hand in the admin)."""
    focal = organisation.contacts.filter(role=ContactRole.FOCAL_POINT).first()
    if focal is None:
        focal = MemberContact.objects.create(
            organisation=organisation,
            role=ContactRole.FOCAL_POINT,
            email=organisation.contact_email,
            language=organisation.language or "es",
        )
    return focal


def member_directory_profile_edit(
    *,
    organisation: Organisation,
    by: Actor,
    descriptions: dict[str, str],
    website: str,
    priority_areas: list[str],
    public_listing: bool,
    logo_key: str | None = None,
) -> MemberChange | None:
    """Edit the member's directory profile (description per language, website,
    priority areas, listing, a new logo if given).

    Before: ``by`` is a contact of this member (not ended) or the Secretariat.
    Changes: the profile; one ``MemberChange`` with what changed (none if
    nothing did). Sends nothing: the directory shows it at once.
    """
    fields = ["descriptions", "website", "priority_areas", "public_listing", "logo_key"]
    with transaction.atomic():
        organisation = _lock(organisation)
        _check_may_edit(organisation, by)
        before = {name: getattr(organisation, name) for name in fields}
        organisation.descriptions = {
            language: text.strip() for language, text in descriptions.items() if text.strip()
        }
        organisation.website = website
        organisation.priority_areas = list(priority_areas)
        organisation.public_listing = public_listing
        if logo_key:
            organisation.logo_key = logo_key
        after = {name: getattr(organisation, name) for name in fields}
        changes = _diff(before, after)
        if not changes:
            return None
        if "logo_key" in changes:
            changes["logo_key"] = [bool(before["logo_key"]), True]  # keys say nothing to staff
        organisation.save(update_fields=fields)
        return by.audit(organisation, action="profile", changes=changes)


def _contact_fields(contact: MemberContact) -> dict:
    return {
        "name": contact.name,
        "role": contact.role,
        "email": contact.email,
        "language": contact.language,
    }


def member_contact_add(
    *, organisation: Organisation, by: Actor, name: str, role: str, email: str, language: str
) -> MemberContact:
    """Add a contact (communications, committee delegate; not a second focal point).

    Changes: a new ``MemberContact``; a ``MemberChange``. Sends nothing.
    """
    with transaction.atomic():
        organisation = _lock(organisation)
        _check_may_edit(organisation, by)
        if role == ContactRole.FOCAL_POINT:
            raise DomainError(
                _("A member has one focal point. Add the contact, then make it the focal point.")
            )
        contact = MemberContact.objects.create(
            organisation=organisation, name=name, role=role, email=email.strip(), language=language
        )
        by.audit(
            organisation,
            action="contact_added",
            changes={key: [None, value] for key, value in _contact_fields(contact).items()},
        )
    return contact


def member_contact_update(
    *, contact: MemberContact, by: Actor, name: str, role: str, email: str, language: str
) -> MemberContact:
    """Change a contact's name, role, address or language.

    Making a contact the focal point gives the former focal point this
    contact's former role. The focal point cannot give up its role otherwise.
    A new address of the focal point waits in ``pending_email`` and takes
    effect only when confirmed from that address (``member_contact_email_confirm``).

    Changes: the contact; a ``MemberChange``. Sends: for a focal point's new
    address, the confirmation link to that address.
    """
    email = email.strip()
    with transaction.atomic():
        organisation = _lock(contact.organisation)
        _check_may_edit(organisation, by)
        contact = MemberContact.objects.select_for_update().get(pk=contact.pk)
        before = _contact_fields(contact)
        was_focal = contact.role == ContactRole.FOCAL_POINT
        if was_focal and role != ContactRole.FOCAL_POINT:
            raise DomainError(
                _("Choose another focal point first: make another contact the focal point.")
            )
        if role == ContactRole.FOCAL_POINT and not was_focal:
            organisation.contacts.filter(role=ContactRole.FOCAL_POINT).update(role=contact.role)
        contact.name, contact.role, contact.language = name, role, language
        confirm = False
        if email.lower() != contact.email.lower():
            if was_focal:
                contact.pending_email = email
                confirm = True
            else:
                contact.email = email
        contact.save()
        changes = _diff(before, _contact_fields(contact))
        if confirm:
            changes["pending_email"] = [None, email]
        if changes:
            by.audit(organisation, action="contact_changed", changes=changes, note=str(contact.pk))
        _mirror_focal_point(organisation)
        if confirm:
            events.emit("member_email_confirm", contact, nonce=email_digest(email))
    return contact


def member_contact_remove(*, contact: MemberContact, by: Actor) -> None:
    """Remove a contact other than the focal point. Changes: deletes it; a ``MemberChange``."""
    with transaction.atomic():
        organisation = _lock(contact.organisation)
        _check_may_edit(organisation, by)
        if contact.role == ContactRole.FOCAL_POINT:
            raise DomainError(
                _("The focal point cannot be removed; make another contact the focal point first.")
            )
        changes = {key: [value, None] for key, value in _contact_fields(contact).items()}
        contact.delete()
        by.audit(organisation, action="contact_removed", changes=changes)


def email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def member_email_pending(contact: MemberContact, digest: str) -> bool:
    """Whether ``digest`` names the address waiting for confirmation on ``contact``."""
    return bool(contact.pending_email) and hmac.compare_digest(
        email_digest(contact.pending_email), digest
    )


def member_contact_email_confirm(*, contact: MemberContact, digest: str) -> MemberContact:
    """The new address of a contact confirms itself through the link sent to it.

    Before: ``contact.pending_email`` is the address whose digest is ``digest``.
    Changes: the contact's address (and the member's, for the focal point); a
    ``MemberChange`` by that address. Sends nothing. A link for an older
    pending address, or after the change, is refused and changes nothing.
    """
    with transaction.atomic():
        organisation = _lock(contact.organisation)
        contact = MemberContact.objects.select_for_update().get(pk=contact.pk)
        if not member_email_pending(contact, digest):
            raise TransitionNotAllowed(_("This confirmation link is no longer valid."))
        old = contact.email
        contact.email, contact.pending_email = contact.pending_email, ""
        contact.save(update_fields=["email", "pending_email", "updated_at"])
        Actor(contact=contact).audit(
            organisation,
            action="contact_email_confirmed",
            changes={"email": [old, contact.email]},
            note=str(contact.pk),
        )
        _mirror_focal_point(organisation)
    return contact


def member_link_send(*, email: str) -> None:
    """Email the self-service link to each contact with this address of a member
    that has not ended, at most once an hour per contact.

    Before: nothing; an unknown address gets nothing and the caller answers the
    same either way. Changes: nothing. Sends: "member_link" to each contact.
    """
    hour = timezone.now().strftime("%Y%m%d%H")
    contacts = (
        MemberContact.objects.filter(email__iexact=email.strip())
        .exclude(organisation__membership_status=MembershipStatus.ENDED)
        .filter(organisation__member_since__isnull=False)
        .select_related("organisation")
        .order_by("pk")[:10]
    )
    with transaction.atomic():
        for contact in contacts:
            events.emit("member_link", contact, nonce=f"link-{hour}")


# --- The membership's lifecycle: active -> suspended -> active, active -> ended ----


def member_suspend(*, organisation: Organisation, by: Actor, reason: str) -> Organisation:
    """The Secretariat suspends an active member (it leaves the directory and
    the invitations until restored).

    Before: active; ``by`` is the Secretariat; a reason. Changes: state
    ``suspended``; a transition log and a ``MemberChange``. Sends: a notice to
    the member's focal point in its language.
    """
    return _lifecycle(organisation, by, "suspend", reason=reason, secretariat_only=True)


def member_restore(*, organisation: Organisation, by: Actor, reason: str = "") -> Organisation:
    """The Secretariat restores a suspended member.

    Before: suspended; ``by`` is the Secretariat. Changes: state ``active``;
    audit. Sends: a notice to the focal point.
    """
    return _lifecycle(organisation, by, "restore", reason=reason, secretariat_only=True)


def member_end(*, organisation: Organisation, by: Actor, reason: str) -> Organisation:
    """End a membership: at the member's own request (its focal point, through
    its link) or by the Secretariat with a reason.

    Before: active. Changes: state ``ended``, ``ended_at``, ``end_reason``;
    the member leaves the directory and the invitations, its history stays.
    Sends: a notice to the focal point; its nominations that are not decided
    are withdrawn, each with its own notice (``nominations`` hears of
    ``member_ended``).
    """
    return _lifecycle(organisation, by, "end", reason=reason, secretariat_only=False)


REFUSED = {
    "suspend": _("Only an active membership can be suspended (this one is %(status)s)."),
    "restore": _("Only a suspended membership can be restored (this one is %(status)s)."),
    "end": _("Only an active membership can be ended (this one is %(status)s)."),
}


def _lifecycle(organisation, by: Actor, step: str, *, reason: str, secretariat_only: bool):
    reason = (reason or "").strip()
    with transaction.atomic():
        organisation = _lock(organisation)
        if organisation.member_since is None:
            raise TransitionNotAllowed(_("This organisation is not a member yet."))
        if by.contact is not None:
            if secretariat_only:
                raise NotPermitted(_("Only the Secretariat can take this step."))
            if by.contact.organisation_id != organisation.pk or (
                by.contact.role != ContactRole.FOCAL_POINT
            ):
                raise NotPermitted(_("Only the member's focal point can end its membership."))
        elif not by.is_secretariat:
            raise NotPermitted(_("Your role does not allow this step."))
        elif step in ("suspend", "end") and not reason:
            raise DomainError(_("Give a reason: the member reads it."))
        method = getattr(organisation, step)
        if not can_proceed(method):
            raise TransitionNotAllowed(
                REFUSED[step] % {"status": organisation.get_membership_status_display()}
            )
        before = organisation.membership_status
        method(by=by.user, description=reason)
        update = ["membership_status"]
        if step == "end":
            organisation.ended_at = timezone.now()
            organisation.end_reason = reason
            update += ["ended_at", "end_reason"]
        organisation.save(update_fields=update)
        log = last_log(organisation)
        by.audit(
            organisation,
            action=step,
            changes={"membership_status": [before, organisation.membership_status]},
            note=reason,
        )
        if step == "suspend":
            event = "member_suspended"
        elif step == "restore":
            event = "member_restored"
        else:
            event = "member_ended"
        events.emit(event, organisation, log=log, by=by.user)
    return organisation


# --- The yearly re-confirmation --------------------------------------------

RECONFIRMATION_REMINDER_DAYS = (14, 28)
RECONFIRMATION_FOLLOW_UP_DAYS = 60


def member_reconfirm(*, organisation: Organisation, by: Actor) -> Organisation:
    """The member confirms its contacts and commitment for another year.

    Before: not ended; ``by`` is one of its contacts or the Secretariat.
    Changes: ``reconfirmed_at``; a ``MemberChange``; the Secretariat's follow-up
    task of this round, if one is open, is done (by the member). Sends nothing;
    no more reminders for this round.
    """
    with transaction.atomic():
        organisation = _lock(organisation)
        _check_may_edit(organisation, by)
        organisation.reconfirmed_at = timezone.now()
        organisation.save(update_fields=["reconfirmed_at"])
        by.audit(organisation, action="reconfirmed")
        events.emit("member_reconfirmed", organisation, by=by.user)
    return organisation


def member_reconfirmation_follow_up(
    *, organisation: Organisation, by: Actor, note: str
) -> Organisation:
    """The Secretariat followed up a yearly re-confirmation left unanswered (its
    follow-up task, ``review.flows.ReconfirmationFlow``, is done with this).

    Before: ``by`` is the Secretariat; a note says what was done (the member
    contacted, its confirmation had). Changes: a ``MemberChange`` with the note;
    the membership stays as it is (never an automatic end). Sends nothing.
    """
    if not note.strip():
        raise DomainError(_("Say what was done: whom you contacted and what they answered."))
    with transaction.atomic():
        organisation = _lock(organisation)
        if not by.is_secretariat:
            raise NotPermitted(_("Your role does not allow this step."))
        by.audit(organisation, action="reconfirmation_followed_up", note=note.strip())
    return organisation


def member_reconfirmations_send(*, now=None) -> int:
    """Ask each active member once a year to confirm its contacts and commitment;
    remind it 14 and 28 days later; after 60 days unanswered, give the
    Secretariat a follow-up (an email and the member list's "follow-up" filter).
    A membership never ends by itself.

    A year counts from the last confirmation, or from ``member_since``. Each
    email goes once (the outbox key carries the round and the day). Returns the
    number of emails queued.
    """
    now = now or timezone.now()
    queued = 0
    year_ago = now - timedelta(days=365)
    candidates = Organisation.objects.filter(
        member_since__isnull=False, membership_status=MembershipStatus.ACTIVE
    ).order_by("pk")
    for member in candidates.iterator():
        anchor = member.reconfirmed_at or timezone.make_aware(
            datetime.combine(member.member_since, time.min)
        )
        asked = member.reconfirmation_requested_at
        with transaction.atomic():
            if (asked is None or asked < anchor) and anchor <= year_ago:
                member = _lock(member)
                member.reconfirmation_requested_at = now
                member.reconfirmation_follow_up_at = None
                member.save(
                    update_fields=["reconfirmation_requested_at", "reconfirmation_follow_up_at"]
                )
                queued += len(
                    events.emit("member_reconfirmation", member, nonce=f"round-{now:%Y%m%d}")
                )
                continue
            if asked is None or (member.reconfirmed_at and member.reconfirmed_at >= asked):
                continue
            waited = (now - asked).days
            round_ = f"round-{asked:%Y%m%d}"
            for days in RECONFIRMATION_REMINDER_DAYS:
                if waited >= days:
                    queued += len(
                        events.emit(
                            "member_reconfirmation_reminder", member, nonce=f"{round_}-{days}"
                        )
                    )
            if (
                waited >= RECONFIRMATION_FOLLOW_UP_DAYS
                and member.reconfirmation_follow_up_at is None
            ):
                member = _lock(member)
                member.reconfirmation_follow_up_at = now
                member.save(update_fields=["reconfirmation_follow_up_at"])
                queued += len(events.emit("member_reconfirmation_overdue", member, nonce=round_))
    return queued


# --- Retention ---------------------------------------------------------------


def ended_members_due_for_erasure(*, now=None):
    """Members ended more than ``RETENTION_MONTHS`` calendar months ago whose
    contacts are still held."""
    cutoff = months_before(now or timezone.now(), settings.RETENTION_MONTHS)
    return Organisation.objects.filter(
        membership_status=MembershipStatus.ENDED, ended_at__lte=cutoff
    ).exclude(contact_email__endswith="@invalid.example")


def months_before(moment, months: int):
    """The same day and time ``months`` calendar months earlier (the month's last
    day when it has fewer days: 31 March - 1 month = 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def ended_member_contacts_erase(*, now=None) -> int:
    """Erase the contacts of members that ended longer ago than the retention period.

    Changes: their ``MemberContact`` rows deleted, the member's own address
    replaced by a placeholder, the contacts' addresses blanked in the audit;
    the organisation, its history of states and its nominations stay. Sends
    nothing. Returns how many members' contacts were erased.
    """
    count = 0
    for member in ended_members_due_for_erasure(now=now).order_by("pk"):
        with transaction.atomic():
            member = _lock(member)
            member.contacts.all().delete()
            MemberChange.objects.filter(organisation=member).update(by_contact="", changes={})
            member.contact_email = f"erased-member-{member.pk}@invalid.example"
            member.save(update_fields=["contact_email"])
            count += 1
    return count
