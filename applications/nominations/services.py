"""Writes on calls and nominations. One service per transition, always in the
same order: lock the row, check the transition, apply it, save, audit, then
announce it with one ``events.emit(...)`` (see ``applications.events``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_fsm_log.models import StateLog

from applications import events, transitions, uploads
from applications.choices import NominationStatus, Recommendation
from applications.exceptions import (
    DuplicateNomination,
    NotEligible,
    SeatsFull,
    TransitionNotAllowed,
)
from applications.members import selectors as members
from applications.members import services as member_services
from applications.uploads import NewFile

from . import selectors
from .models import Call, CallPhase, CallSeat, Nomination, NominationAttachment

NOMINATION_FIELDS = (
    "nominee_name",
    "nominee_email",
    "nominee_position",
    "nominee_organisation",
    "nominee_language",
    "constituency",
    "motivation",
)


# Calls


def call_save(*, call: Call | None = None, data: dict, seats: dict[str, int], by) -> Call:
    """Create or edit a call with its seats per constituency.

    Before: ``data`` holds the cleaned call fields; ``seats`` maps constituency
    to a number of seats (0 or missing: none); a committee term, if given, ends
    after it starts. Changes: the call and its seat
    rows. Sends: if the saved call is open already and nobody was invited yet,
    the invitations at once (in the same transaction); otherwise the hourly
    ``call_invitations_send`` invites members when the call opens.
    """
    if data["closes_at"] <= data["opens_at"]:
        raise TransitionNotAllowed(_("The call must close after it opens."))
    if (
        data.get("term_starts")
        and data.get("term_ends")
        and data["term_ends"] <= data["term_starts"]
    ):
        raise TransitionNotAllowed(_("The committee term must end after it starts."))
    wanted = {key: value for key, value in seats.items() if value}
    if not wanted:
        raise TransitionNotAllowed(_("Give at least one constituency one seat or more."))
    with transaction.atomic():
        if call is None:
            call = Call(created_by=by)
        else:
            call = Call.objects.select_for_update().get(pk=call.pk)
            seated = dict(
                call.nominations.filter(status__in=selectors.SEATED)
                .values_list("constituency")
                .annotate(n=Count("pk"))
                .values_list("constituency", "n")
            )
            for constituency, approved in seated.items():
                if wanted.get(constituency, 0) < approved:
                    raise TransitionNotAllowed(
                        ngettext(
                            "%(n)d nominee of this constituency is already approved: "
                            "it needs at least that many seats.",
                            "%(n)d nominees of this constituency are already approved: "
                            "it needs at least that many seats.",
                            approved,
                        )
                        % {"n": approved}
                    )
        for field, value in data.items():
            setattr(call, field, value)
        call.save()
        CallSeat.objects.filter(call=call).exclude(constituency__in=wanted).delete()
        for constituency, number in wanted.items():
            CallSeat.objects.update_or_create(
                call=call, constituency=constituency, defaults={"seats": number}
            )
        if call.invitations_sent_at is None and call.phase() == CallPhase.OPEN:
            _invite(call)
    return call


def _invite(call: Call) -> int:
    """Invite every member to the (locked, open) call now; the number of emails."""
    queued = len(events.emit("call_opened", call, nonce="invitation"))
    call.invitations_sent_at = timezone.now()
    call.save(update_fields=["invitations_sent_at"])
    return queued


def call_invitations_send(*, now=None) -> int:
    """Invite every member to nominate, once per call, when the call opens.

    Before: calls whose opening time has passed and that are not yet closed.
    Changes: ``invitations_sent_at``. Sends: "call opened" to each member's
    contact, with a nomination link signed for that member and call. Returns
    the number of emails queued.
    """
    queued = 0
    for call in selectors.calls_to_invite(now).order_by("pk"):
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=call.pk)
            if call.invitations_sent_at is not None:
                continue
            queued += _invite(call)
    return queued


def call_nomination_link_send(*, call: Call, email: str) -> None:
    """A member's contact asks for its nomination link again.

    Before: nothing; an address that is no member's contact gets nothing, and
    the caller answers the same either way. Changes: nothing. Sends: the
    nomination link of each member whose contact is ``email``, while the call
    is open, at most once per member, call and hour.
    """
    if call.phase() != CallPhase.OPEN:
        return
    email = email.strip()
    hour = timezone.now().strftime("%Y%m%d%H")
    nonce = hashlib.sha256(f"{email.lower()}:{hour}".encode()).hexdigest()[:16]
    for member in members.members().filter(contact_email__iexact=email):
        events.emit("call_nomination_link", call, nonce=f"link-{nonce}", member=member)


# Nominations


def _lock(nomination: Nomination) -> Nomination:
    return transitions.lock(nomination)


def _check(nomination: Nomination, method, by) -> None:
    transitions.check(
        nomination,
        method,
        by,
        refused=_("This nomination is now “%(status)s”, so this step is no longer possible."),
    )


_last_log = transitions.last_log


def _check_open(call: Call, now=None) -> None:
    phase = call.phase(now)
    if phase == CallPhase.SCHEDULED:
        raise NotEligible(_("This call is not open yet."))
    if phase == CallPhase.CLOSED:
        raise NotEligible(
            _("This call closed on %(when)s; nominations are no longer accepted.")
            % {"when": call.closing_text()}
        )


def nomination_submit(
    *,
    call: Call,
    nominated_by,
    data: dict,
    files: Iterable[NewFile] = (),
    idempotency_key=None,
    answers=(),
) -> Nomination:
    """A member nominates a person of a member organisation to the committee.

    Before: the call is open; ``nominated_by`` and the nominee's organisation
    are members; the call has seats for the constituency; the nominee is not
    yet nominated in this call; the files were checked by ``uploads.check_upload``;
    ``answers`` are the call's extra questions' (stored with the nomination).
    A second call with the same ``idempotency_key`` returns the first nomination.
    Changes: a nomination waiting for the nominee's consent, its files and an
    audit row. Sends: a confirmation to the nominator and a consent request
    (accept or decline link) to the nominee. If storage fails, nothing is kept.
    """
    if idempotency_key:
        existing = Nomination.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    _check_open(call)
    if nominated_by.member_since is None:
        raise NotEligible(_("Only member organisations of the Alliance can nominate."))
    if data["nominee_organisation"].member_since is None:
        raise NotEligible(_("The nominee must belong to a member organisation of the Alliance."))
    if not call.seats.filter(constituency=data["constituency"]).exists():
        raise NotEligible(_("This call has no seats for that constituency."))
    email = data["nominee_email"].strip().lower()
    if call.nominations.filter(nominee_email=email).exists():
        raise DuplicateNomination(
            _("%(email)s is already nominated in this call; a person is nominated once.")
            % {"email": email}
        )
    files = list(files)
    try:
        with uploads.atomic_with_files() as stored:
            stored.start(files)  # uploading while the nomination's rows are written
            nomination = Nomination(
                call=call,
                nominated_by=nominated_by,
                idempotency_key=idempotency_key,
                answers=list(answers),
            )
            for field in NOMINATION_FIELDS:
                setattr(nomination, field, data[field])
            nomination.save()
            log = StateLog.objects.create(
                content_type=ContentType.objects.get_for_model(Nomination),
                object_id=nomination.pk,
                source_state=None,
                state=NominationStatus.AWAITING_CONSENT,
                transition="submit",
            )
            stored.store(
                files,
                refused=_(
                    "We could not store your file just now. Nothing was submitted and "
                    "your answers are kept below: please attach the files again and "
                    "retry in a few minutes."
                ),
                record=lambda new, key: NominationAttachment.objects.create(
                    nomination=nomination, **new.row_fields(key)
                ),
            )
            events.emit("nomination_submitted", nomination, log=log)
    except IntegrityError:
        if idempotency_key:
            existing = Nomination.objects.filter(idempotency_key=idempotency_key).first()
            if existing:
                return existing
        raise DuplicateNomination(
            _("%(email)s is already nominated in this call; a person is nominated once.")
            % {"email": email}
        ) from None
    return nomination


def nomination_consent(*, nomination: Nomination, accept: bool, now=None) -> Nomination:
    """The nominee accepts or declines through the link in their email.

    Before: the nomination waits for consent and the call has not closed.
    Changes: state ``submitted`` (and a screening task) or ``declined``.
    After closing, the nomination lapses instead and the nominee is told.
    Sends: "accepted" to both sides and the secretariat, or "declined" to both.
    """
    lapsed = False
    with transaction.atomic():
        nomination = _lock(nomination)
        if nomination.status != NominationStatus.AWAITING_CONSENT:
            raise TransitionNotAllowed(
                _("This nomination was already answered: it is now “%(status)s”.")
                % {"status": nomination.get_status_display()}
            )
        if nomination.call.phase(now) == CallPhase.CLOSED:
            _lapse(nomination)
            lapsed = True
        elif accept:
            nomination.consent_answered_at = timezone.now()
            nomination.accept(description=_("Accepted by the nominee"))
            nomination.save()
            events.emit("nomination_accepted", nomination, log=_last_log(nomination))
        else:
            nomination.consent_answered_at = timezone.now()
            nomination.decline(description=_("Declined by the nominee"))
            nomination.closed_at = timezone.now()
            nomination.save()
            events.emit("nomination_declined", nomination, log=_last_log(nomination))
    if lapsed:
        # Raised after the commit: the lapse stands, the answer is refused.
        raise NotEligible(
            _("The call closed on %(when)s, so the nomination lapsed without your answer.")
            % {"when": nomination.call.closing_text()}
        )
    return nomination


def _lapse(nomination: Nomination) -> None:
    nomination.lapse(description=_("No answer from the nominee by the closing date"))
    nomination.closed_at = timezone.now()
    nomination.save()
    events.emit("nomination_lapsed", nomination, log=_last_log(nomination))


def nominations_lapse(*, now=None) -> int:
    """Lapse the nominations whose nominee did not answer by the call's closing.

    Changes: state ``lapsed``. Sends: "lapsed" to the nominator and the nominee.
    Returns how many lapsed.
    """
    now = now or timezone.now()
    due = Nomination.objects.filter(
        status=NominationStatus.AWAITING_CONSENT, call__closes_at__lte=now
    ).order_by("pk")
    count = 0
    for nomination in due:
        with transaction.atomic():
            nomination = _lock(nomination)
            if nomination.status == NominationStatus.AWAITING_CONSENT:
                _lapse(nomination)
                count += 1
    return count


def nomination_screen(
    *, nomination: Nomination, by, recommendation: str, note: str = ""
) -> Nomination:
    """Record the secretariat's screening with a recommendation to the committee.

    Before: the nomination is ``submitted``; ``by`` may screen. Changes: state
    ``reviewed``; the screener, the recommendation, the note and a snapshot of
    the computed eligibility checklist. Sends: "screened" to the nominator and
    "ready for decision" to the committee.
    """
    if recommendation not in Recommendation.values:
        raise TransitionNotAllowed(_("Choose a recommendation."))
    with transaction.atomic():
        nomination = _lock(nomination)
        _check(nomination, nomination.screen, by)
        nomination.screened_by = by
        nomination.recommendation = recommendation
        nomination.screening_note = note
        nomination.screening_checklist = {
            str(check.label): check.ok for check in selectors.nomination_eligibility(nomination)
        }
        nomination.screen(by=by, description=note)
        nomination.save()
        events.emit("nomination_reviewed", nomination, log=_last_log(nomination), by=by)
    return nomination


def nomination_check_can_decide(*, nomination: Nomination, by) -> None:
    """Raise if ``by`` may not decide ``nomination`` now (four-eyes, role, state)."""
    transitions.check_can_decide(
        nomination,
        by,
        permission="applications.decide_nomination",
        already_decided=_("This nomination was already decided by %(name)s on %(date)s."),
        screened=_(
            "You screened this nomination, so another committee member must decide it "
            "(four-eyes rule)."
        ),
        not_permitted=_("Only committee approvers can decide on nominations."),
    )


def nomination_decide(*, nomination: Nomination, by, approve: bool, reason: str = "") -> Nomination:
    """Approve or reject a screened nomination, within the constituency's seats.

    Before: the nomination is ``reviewed``; ``by`` is a committee approver who
    did not screen it; a rejection has a reason; on approval a seat is free.
    The seat row is locked first, so two approvals racing for the last seat
    are serialised and the second is refused. Changes: state ``approved`` or
    ``rejected``, who decided and when. Sends: the decision to both sides and,
    on approval, "ready for onboarding" to the secretariat.
    """
    if not approve and not reason.strip():
        raise TransitionNotAllowed(_("Give the reason for the rejection; the nominee reads it."))
    with transaction.atomic():
        nomination = _lock(nomination)
        nomination_check_can_decide(nomination=nomination, by=by)
        if approve:
            _check(nomination, nomination.approve, by)
            seat = (
                CallSeat.objects.select_for_update()
                .filter(call_id=nomination.call_id, constituency=nomination.constituency)
                .first()
            )
            taken = Nomination.objects.filter(
                call_id=nomination.call_id,
                constituency=nomination.constituency,
                status__in=selectors.SEATED,
            ).count()
            if seat is None or taken >= seat.seats:
                seats = seat.seats if seat else 0
                raise SeatsFull(
                    ngettext(
                        "The %(seats)d seat of “%(constituency)s” in this call is already "
                        "filled. Reject this nomination, or ask the secretariat to add a seat "
                        "to the call first.",
                        "All %(seats)d seats of “%(constituency)s” in this call are already "
                        "filled. Reject this nomination, or ask the secretariat to add a seat "
                        "to the call first.",
                        seats,
                    )
                    % {
                        "seats": seats,
                        "constituency": nomination.get_constituency_display(),
                    }
                )
            nomination.approve(by=by, description=reason)
            event = "nomination_approved"
        else:
            _check(nomination, nomination.reject, by)
            nomination.reject(by=by, description=reason)
            nomination.closed_at = timezone.now()
            event = "nomination_rejected"
        nomination.decided_by = by
        nomination.decided_at = timezone.now()
        nomination.decision_reason = reason
        nomination.save()
        events.emit(event, nomination, log=_last_log(nomination), by=by)
    return nomination


def nomination_onboard(*, nomination: Nomination, by, note: str = "") -> Nomination:
    """Welcome an approved nominee onto the Management Committee.

    Before: the nomination is ``approved``; ``by`` may onboard. Changes: state
    ``onboarded``; the member directory lists the person as a committee member.
    Sends: the committee welcome (what the committee does, its meeting calendar).
    """
    with transaction.atomic():
        nomination = _lock(nomination)
        _check(nomination, nomination.onboard, by)
        nomination.onboard(by=by, description=note)
        nomination.onboarded_at = timezone.now()
        nomination.save()
        # Renews the cached directory pages, which list committee members.
        member_services.member_touch(organisation=nomination.nominee_organisation)
        events.emit("nomination_onboarded", nomination, log=_last_log(nomination), by=by)
    return nomination


def nomination_withdraw(*, nomination: Nomination, reason: str = "") -> Nomination:
    """The nominating member withdraws a nomination that is not yet decided.

    Changes: state ``withdrawn``; open review tasks are cancelled. Sends: a
    note to the nominator, the nominee and the secretariat.
    """
    with transaction.atomic():
        nomination = _lock(nomination)
        _check(nomination, nomination.withdraw, None)
        nomination.withdraw(description=reason or _("Withdrawn by the nominating member"))
        nomination.closed_at = timezone.now()
        nomination.save()
        events.emit("nomination_withdrawn", nomination, log=_last_log(nomination))
    return nomination


def nominations_withdraw_for_member(*, member) -> int:
    """Withdraw the undecided nominations a member made or whose nominee belongs
    to it, when its membership ends.

    Changes: each such nomination ``withdrawn`` (its tasks cancelled). Sends:
    each withdrawal's notice to the nominator, the nominee and the Secretariat.
    Returns how many were withdrawn.
    """
    undecided = (
        Nomination.objects.filter(Q(nominated_by=member) | Q(nominee_organisation=member))
        .filter(
            status__in=[
                NominationStatus.AWAITING_CONSENT,
                NominationStatus.SUBMITTED,
                NominationStatus.REVIEWED,
            ]
        )
        .order_by("pk")
    )
    reason = _("The membership of %(member)s in the Alliance has ended.") % {"member": member.name}
    count = 0
    for nomination in undecided:
        nomination_withdraw(nomination=nomination, reason=reason)
        count += 1
    return count


def on_event(name: str, obj, **fields):
    """Subscriber of ``applications.events`` (``ApplicationsConfig.ready``): an
    ended membership withdraws its nominations. Emails nobody itself."""
    if name == "member_ended":
        nominations_withdraw_for_member(member=obj)
    return ()
