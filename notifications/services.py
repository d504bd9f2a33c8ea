"""The one entry point for outbound email: ``notify``.

``notify`` decides who must hear of an event, renders each email in the
recipient's language, and writes one outbox row per recipient in the caller's
transaction. The domain's events reach it through ``on_event`` (subscribed in
``NotificationsConfig.ready()``), with ``EVENTS`` saying who hears of each.
Sending happens after commit, in a background task that drains every due row
(``notifications.outbox.send_outbox``; a retry gets its own
``send_outbox_message``), so a rolled-back transition never sends mail and a
committed one never loses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.defaultfilters import linebreaks_filter, urlize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from viewflow.workflow.status import STATUS

from applications.letters.models import OnboardingDocumentKind
from applications.letters.selectors import onboarding_documents
from applications.links import (
    consent_url,
    draft_url,
    member_email_url,
    member_url,
    nominate_url,
    nomination_status_url,
    onboarding_document_url,
    onboarding_url,
    reply_address,
    status_url,
)
from applications.members.selectors import member_history, member_recipients, members_to_invite
from applications.roles import COMMITTEE, SECRETARIAT
from applications.texts.selectors import substitute, text_current

from .audiences import (  # noqa: F401 (the names the rest of the app reads here)
    APPLICANT,
    ASSIGNEE,
    CONTACT,
    MEMBER,
    MEMBERS,
    NEW_ADDRESS,
    NEW_MEMBER,
    NOMINATOR,
    NOMINEE,
    PUBLIC_AUDIENCES,
    STAFF,
)
from .models import OutboxMessage, OutboxStatus, StaffEmailPreference
from .outbox import enqueue_send
from .texts import STAFF_EMAILS, email_spec, key_of, render_files

# What a reply can land on (applications/replies.py): its emails carry a signed Reply-To.
REPLYABLE = ("applications.letter", "applications.nomination")
# A viewflow task someone may still act on.
OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

# Who hears of each event. The README's notification table mirrors this. Every
# event the domain emits has a row (tests/test_events.py), even with no audience.
EVENTS: dict[str, tuple[str, ...]] = {
    "letter_submitted": (APPLICANT, SECRETARIAT),
    "letter_resubmitted": (APPLICANT, SECRETARIAT),
    "letter_changes_requested": (APPLICANT,),
    "letter_reviewed": (APPLICANT, COMMITTEE),
    "letter_approved": (APPLICANT, SECRETARIAT),
    "letter_rejected": (APPLICANT,),
    "letter_onboarded": (NEW_MEMBER,),
    # The member completed its checklist: its welcome went with letter_onboarded.
    "letter_onboarding_completed": (),
    "letter_onboarding_reminder": (NEW_MEMBER,),
    "letter_withdrawn": (APPLICANT, SECRETARIAT),
    "letter_status_link": (APPLICANT,),
    # A letter saved to finish later: its resume link, and the reminder before it expires.
    # A draft is not a letter: nobody on the staff hears of it.
    "letter_draft_saved": (APPLICANT,),
    "letter_draft_expiring": (APPLICANT,),
    # The same for a nomination saved to finish later: to the nominating member's contacts.
    "nomination_draft_saved": (NOMINATOR,),
    "nomination_draft_expiring": (NOMINATOR,),
    # Nobody is emailed; the emails about the letter are blanked (FORGET).
    "letter_anonymised": (),
    "member_reconfirmed": (),  # closes the follow-up task, if any (review.process)
    # Sent with notify_users to the people a task waits on.
    "task_overdue": (),
    "task_escalated": (),
    "staff_digest": (),  # built by digests_send from held staff emails
    "password_reset": (),  # queued by notifications.passwords for the account asked
    # Calls for nominations and nominations.
    "call_opened": (MEMBERS,),
    "call_nomination_link": (MEMBERS,),
    "nomination_submitted": (NOMINATOR, NOMINEE),
    "nomination_accepted": (NOMINATOR, NOMINEE, SECRETARIAT),
    "nomination_declined": (NOMINATOR, NOMINEE),
    "nomination_lapsed": (NOMINATOR, NOMINEE),
    "nomination_reviewed": (NOMINATOR, COMMITTEE),
    "nomination_approved": (NOMINATOR, NOMINEE, SECRETARIAT),
    "nomination_rejected": (NOMINATOR, NOMINEE),
    "nomination_onboarded": (NOMINEE, NOMINATOR),
    "nomination_withdrawn": (NOMINATOR, NOMINEE, SECRETARIAT),
    # Nobody is emailed; the emails about the nomination are blanked (FORGET).
    "nomination_anonymised": (),
    # Members after onboarding: their self-service link, lifecycle, re-confirmation.
    "member_link": (CONTACT,),
    "member_email_confirm": (NEW_ADDRESS,),
    "member_suspended": (MEMBER,),
    "member_restored": (MEMBER,),
    "member_ended": (MEMBER, SECRETARIAT),
    "member_reconfirmation": (MEMBER,),
    "member_reconfirmation_reminder": (MEMBER,),
    "member_reconfirmation_overdue": (SECRETARIAT,),
    # A stored file that a later virus scan found infected (applications/antivirus.py).
    "file_quarantined": (SECRETARIAT,),
    # A reply to one of our emails landed on a letter or nomination (applications/replies.py).
    "reply_received": (ASSIGNEE,),
}
# Events after which the emails about the object lose their personal data.
FORGET = ("letter_anonymised", "nomination_anonymised")


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    audience: str
    digest: bool = False  # a staff member who chose one daily digest
    # What this recipient's email alone carries, e.g. a link signed for them.
    context: dict = field(default_factory=dict, compare=False, hash=False)


def _recipients(audience: str, obj, member=None) -> list[Recipient]:
    if audience in (APPLICANT, NEW_MEMBER):
        return [Recipient(obj.contact_email, obj.language, audience)]
    if audience == NOMINATOR:
        return [
            Recipient(contact.email, contact.language, audience)
            for contact in member_recipients(obj.nominated_by, kind="nomination")
        ]
    if audience == NOMINEE:
        return [Recipient(obj.nominee_email, obj.nominee_language, audience)]
    if audience == MEMBERS:
        return [
            Recipient(
                contact.email,
                contact.language,
                audience,
                context={"member": member, "nominate_url": nominate_url(obj, member)},
            )
            for member in ([member] if member is not None else members_to_invite())
            for contact in member_recipients(member, kind="call")
        ]
    if audience == MEMBER:
        return [
            Recipient(
                contact.email,
                contact.language,
                audience,
                context={
                    "contact": contact,
                    "member_url": member_url(contact) if contact.pk else "",
                },
            )
            for contact in member_recipients(obj, kind="member")
        ]
    if audience == CONTACT:
        return [Recipient(obj.email, obj.language, audience)]
    if audience == NEW_ADDRESS:
        return [Recipient(obj.pending_email, obj.language, audience)]
    if audience == ASSIGNEE:
        holder = _task_holder(obj.letter or obj.nomination)
        if holder is not None:
            return [_staff_recipient(holder, audience)]
        return [
            Recipient(r.email, r.language, audience, r.digest)
            for r in _recipients(SECRETARIAT, obj)
        ]
    users = (
        get_user_model()
        .objects.filter(groups__name=audience, is_active=True)
        .exclude(email="")
        .select_related("email_preference")
        .order_by("pk")
        .distinct()
    )
    return [_staff_recipient(user, audience) for user in users]


def _task_holder(target):
    """The active user holding ``target``'s (a letter's or nomination's) open task, or None.

    Read through the process's reverse relation: notifications does not import review.
    """
    process = getattr(target, "process", None) if target is not None else None
    if process is None:
        return None
    task = (
        process.task_set.filter(status__in=OPEN_TASK, owner__is_active=True)
        .exclude(owner__email="")
        .select_related("owner__email_preference")
        .order_by("pk")
        .first()
    )
    return task.owner if task is not None else None


def _staff_recipient(user, audience: str) -> Recipient:
    preference = getattr(user, "email_preference", None)
    return Recipient(
        user.email,
        (preference and preference.language) or settings.STAFF_LANGUAGE,
        audience,
        digest=bool(preference and preference.daily_digest),
    )


# render_email's "use the Secretariat's text in use" (a text may also be given).
CURRENT = object()


def render_email(*, event: str, audience: str, language: str, context: dict, text=CURRENT) -> dict:
    """Render subject, text and HTML of one email in ``language``.

    The wording is the Secretariat's version in use for this email and language
    (``applications.texts``), its placeholders filled from ``context``; without
    one, the template files, the default of *that* language. ``text`` renders
    another wording instead (a ``TextVersion``, saved or not: the editor's
    preview), or the template files with ``None``. ``text_version`` in the
    result is the saved version used (None: the files), which the outbox keeps.
    """
    if text is CURRENT:
        text = text_current(key_of(event, audience), language)
    with translation.override(language):
        context = {
            **common_context(),
            **context,
            "audience": audience.lower(),
            # People outside the staff: the footer names the Secretariat to write to.
            "public_audience": audience.lower() in PUBLIC_AUDIENCES,
            "language": language,
        }
        if text is None:
            subject, body_text = render_files(event, audience, context)
        else:
            values = email_spec(event, audience).values(context)
            subject = " ".join(substitute(text.subject, values).split())
            body_text = substitute(text.body, values).strip() + "\n"
        body_html = render_to_string(
            "notifications/email.html",
            {
                **context,
                "subject": subject,
                "body_html": linebreaks_filter(urlize(body_text, autoescape=True)),
            },
        )
    return {
        "subject": subject[:255],
        "body_text": body_text,
        "body_html": body_html,
        "text_version": text if text is not None and text.pk else None,
    }


def email_pairs() -> list[tuple[str, str]]:
    """Every (event, audience) that has an email: EVENTS' and the staff emails."""
    pairs = [
        (event, audience.lower()) for event, audiences in EVENTS.items() for audience in audiences
    ]
    return pairs + list(STAFF_EMAILS)


def email_specs() -> dict:
    """{text key: TextSpec} of every email, for the Secretariat's Texts area."""
    return {
        key_of(event, audience): email_spec(event, audience) for event, audience in email_pairs()
    }


def _documents_text(letter) -> str:
    """The documents for new members, one "- title: link" line each (issue 13)."""
    return "\n".join(
        f"- {document.title}: {onboarding_document_url(letter, document)}"
        for document in onboarding_documents(letter.language)
    )


def _brand_manual_url(letter) -> str:
    """The download link of the brand manual a new member receives, or "" if none is
    configured: a sentence about the manual is written only with its link."""
    return next(
        (
            onboarding_document_url(letter, document)
            for document in onboarding_documents(letter.language)
            if document.kind == OnboardingDocumentKind.BRAND_MANUAL
        ),
        "",
    )


def letter_context(letter) -> dict:
    return {
        "letter": letter,
        "documents_text": lazy(lambda: _documents_text(letter), str)(),
        "brand_manual_url": lazy(lambda: _brand_manual_url(letter), str)(),
        "status_url": status_url(letter),
        "onboarding_url": onboarding_url(letter),
        "site_url": settings.SITE_URL,
        # Staff emails link to the letter itself (its page opens its task).
        "inbox_url": settings.SITE_URL + reverse("review:letter_detail", args=[letter.pk]),
        "directory_url": settings.SITE_URL + reverse("directory"),
    }


def draft_context(draft) -> dict:
    nomination = {}
    if draft.call_id:
        nomination = {
            "call": draft.call,
            "member": draft.nominated_by,
            "nominee_name": draft.contact_name,
            "call_url": settings.SITE_URL + draft.call.get_absolute_url(),
        }
    return {
        **nomination,
        "draft": draft,
        "resume_url": draft_url(draft),
        "expires": lazy(
            lambda: formats.date_format(timezone.localtime(draft.expires_at), "DATE_FORMAT"),
            str,
        )(),
        "site_url": settings.SITE_URL,
    }


def _closing(call):
    """The call's closing time, formatted when the email renders (in its language)."""
    return lazy(call.closing_text, str)()


def nomination_context(nomination) -> dict:
    return {
        "nomination": nomination,
        "call": nomination.call,
        "closing": _closing(nomination.call),
        "committee_calendar_url": settings.COMMITTEE_CALENDAR_URL,
        "consent_url": consent_url(nomination),
        "nomination_url": nomination_status_url(nomination),
        "call_url": settings.SITE_URL + nomination.call.get_absolute_url(),
        "site_url": settings.SITE_URL,
        "inbox_url": settings.SITE_URL + reverse("review:nomination_detail", args=[nomination.pk]),
        "directory_url": settings.SITE_URL + reverse("directory"),
    }


def call_context(call) -> dict:
    return {
        "call": call,
        "closing": _closing(call),
        "call_url": settings.SITE_URL + call.get_absolute_url(),
        "site_url": settings.SITE_URL,
    }


def member_context(member) -> dict:
    last = member_history(member).first()
    return {
        "member": member,
        "member_note": last.note if last else "",
        "site_url": settings.SITE_URL,
        "directory_url": settings.SITE_URL + reverse("directory"),
        "staff_member_url": settings.SITE_URL + reverse("review:member_detail", args=[member.pk]),
    }


def contact_context(contact) -> dict:
    return {
        "contact": contact,
        "member": contact.organisation,
        "member_url": member_url(contact),
        "confirm_url": member_email_url(contact) if contact.pending_email else "",
        "site_url": settings.SITE_URL,
        "directory_url": settings.SITE_URL + reverse("directory"),
    }


def quarantine_context(scanned) -> dict:
    """A quarantined file (``applications.antivirus.ScannedFile``): its name and
    what it was sent with, found by its storage key."""
    from applications.letters.models import Attachment
    from applications.members.models import Organisation
    from applications.nominations.models import NominationAttachment

    context = {"file": scanned, "file_name": scanned.key, "belongs_to": "", "owner_url": ""}
    attachment = Attachment.objects.select_related("letter").filter(key=scanned.key).first()
    nominated = NominationAttachment.objects.select_related("nomination").filter(key=scanned.key)
    if attachment is not None:
        context["file_name"] = attachment.original_name
        context["belongs_to"] = attachment.letter.organisation_name
        context["owner_url"] = reverse("review:letter_detail", args=[attachment.letter_id])
    elif (nominated := nominated.first()) is not None:
        context["file_name"] = nominated.original_name
        context["belongs_to"] = nominated.nomination.nominee_name
        context["owner_url"] = reverse("review:nomination_detail", args=[nominated.nomination_id])
    elif (member := Organisation.objects.filter(logo_key=scanned.key).first()) is not None:
        context["belongs_to"] = member.name
        context["owner_url"] = reverse("member_detail", args=[member.pk])
    context["owner_url"] = settings.SITE_URL + (context["owner_url"] or "/")
    context["site_url"] = settings.SITE_URL
    return context


def reply_context(reply) -> dict:
    """A reply that landed on a letter or nomination: what the staff notice shows,
    on top of what an email about its letter or nomination shows."""
    if reply.letter_id:
        context = letter_context(reply.letter)
        about = reply.letter.organisation_name
    else:
        context = nomination_context(reply.nomination)
        about = reply.nomination.nominee_name
    return {
        **context,
        "reply": reply,
        "about": about,
        "page_url": f"{context['inbox_url']}#reply-{reply.pk}",
    }


def object_context(obj) -> dict:
    """What every email about ``obj`` (a letter, a nomination, a call, a member or
    one of its contacts) can show."""
    builders = {
        "applications.letter": letter_context,
        "applications.nomination": nomination_context,
        "applications.call": call_context,
        "applications.letterdraft": draft_context,
        "applications.organisation": member_context,
        "applications.membercontact": contact_context,
        "auth.user": lambda user: {"site_url": settings.SITE_URL},  # password reset
        "applications.scannedfile": quarantine_context,
        "applications.letterreply": reply_context,
    }
    return {**builders[obj._meta.label_lower](obj), **common_context()}


def common_context() -> dict:
    """What every email can name, whatever it is about."""
    return {"secretariat_email": settings.SECRETARIAT_EMAIL}


def on_event(name: str, obj, *, log=None, nonce: str = "", member=None, **fields):
    """Subscriber of ``applications.events``: queue the emails of ``EVENTS[name]``
    (and blank the emails about ``obj`` after an event of ``FORGET``)."""
    if name in FORGET:
        outbox_forget(object_type=obj._meta.label_lower, object_id=obj.pk)
    return notify(event=name, obj=obj, log=log, nonce=nonce, member=member)


def notify(*, event: str, obj, log=None, nonce: str = "", member=None) -> list[OutboxMessage]:
    """Queue the emails for ``event`` on ``obj`` (a letter, nomination or call);
    send them after commit.

    Before: called inside the transaction that made the change (``log`` is its
    audit row). ``member`` narrows the "members" audience to one organisation.
    Changes: one ``OutboxMessage`` per recipient; a repeated call for the same
    event, object, log and recipient adds nothing. Sends: nothing
    itself; once the transaction commits, a draining send task is queued unless
    one is already waiting to start.
    """
    recipients = [
        recipient for audience in EVENTS[event] for recipient in _recipients(audience, obj, member)
    ]
    return _queue(event=event, obj=obj, recipients=recipients, log=log, nonce=nonce)


def notify_users(
    *, event: str, obj, users, nonce: str, context: dict | None = None
) -> list[OutboxMessage]:
    """Queue a staff email about ``obj`` to the given users (reminders, escalations).

    ``nonce`` makes the email unique: the same event, object, nonce and user is
    queued once however often this is called.
    """
    recipients = [_staff_recipient(user, STAFF) for user in users if user.email]
    return _queue(
        event=event,
        obj=obj,
        recipients=recipients,
        log=None,
        nonce=nonce,
        extra=context or {},
    )


def _reply_to(obj, object_type: str, audience: str) -> str:
    """The Secretariat for people outside the staff; with INBOUND_REPLIES, tagged with
    the letter's (or nomination's) signed reply tag, so that the inbound webhook puts
    the reply on it."""
    if audience not in PUBLIC_AUDIENCES:
        return ""
    if settings.INBOUND_REPLIES and object_type in REPLYABLE:
        return reply_address(obj)
    return settings.SECRETARIAT_EMAIL


def _queue(*, event, obj, recipients, log, nonce, extra=None) -> list[OutboxMessage]:
    context = {**object_context(obj), **(extra or {})}
    object_type = obj._meta.label_lower
    kind = object_type.split(".")[-1]
    queued = []
    texts = {}  # the text in use per audience and language, read once
    for recipient in recipients:
        key = f"{event}:{kind}:{obj.pk}:{log.pk if log else nonce}:{recipient.email}"
        wording = (recipient.audience, recipient.language)
        if wording not in texts:
            texts[wording] = text_current(key_of(event, recipient.audience), recipient.language)
        rendered = render_email(
            event=event,
            audience=recipient.audience,
            language=recipient.language,
            context={**context, **recipient.context},
            text=texts[wording],
        )
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    key=key[:255],
                    event=event,
                    audience=recipient.audience,
                    object_type=object_type,
                    object_id=obj.pk,
                    log_id=log.pk if log else None,
                    recipient=recipient.email,
                    reply_to=_reply_to(obj, object_type, recipient.audience),
                    language=recipient.language,
                    status=OutboxStatus.HELD if recipient.digest else OutboxStatus.PENDING,
                    **rendered,
                )
        except IntegrityError:
            continue  # already queued for this transition and recipient
        queued.append(message)
    pending = [message.pk for message in queued if message.status == OutboxStatus.PENDING]
    if pending:
        # robust: a failed enqueue must not fail the committed step for its caller;
        # the rows are saved and outbox_flush queues them again.
        transaction.on_commit(lambda: enqueue_send(*pending), robust=True)
    return queued


def digests_send(*, now=None) -> int:
    """Gather each staff member's held emails into one digest email.

    Before: rows held for staff who chose the daily digest. Changes: one
    ``staff_digest`` outbox row per recipient and day, listing the held emails,
    which become ``digested``. Sends: the digests, after commit. Returns how
    many digests were queued.
    """
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    queued = 0
    held = OutboxMessage.objects.filter(status=OutboxStatus.HELD)
    for recipient in held.order_by().values_list("recipient", flat=True).distinct():
        with transaction.atomic():
            items = list(
                OutboxMessage.objects.select_for_update()
                .filter(status=OutboxStatus.HELD, recipient=recipient)
                .order_by("created_at", "pk")
            )
            if not items:
                continue
            language = items[0].language
            context = {
                "items": items,
                "inbox_url": settings.SITE_URL + reverse("review:task_inbox"),
                "letters_url": settings.SITE_URL + reverse("review:letter_list"),
            }
            rendered = render_email(
                event="staff_digest", audience=STAFF, language=language, context=context
            )
            message, created = OutboxMessage.objects.get_or_create(
                key=f"staff_digest:{recipient}:{day}:{items[-1].pk}"[:255],
                defaults={
                    "event": "staff_digest",
                    "audience": STAFF,
                    "object_type": "digest",
                    "object_id": items[-1].pk,
                    "recipient": recipient,
                    "language": language,
                    **rendered,
                },
            )
            OutboxMessage.objects.filter(pk__in=[item.pk for item in items]).update(
                status=OutboxStatus.DIGESTED
            )
            if created:
                queued += 1
                # robust: a failed enqueue must not fail the committed step for its caller;
                # the row is saved and outbox_flush queues it again.
                transaction.on_commit(lambda pk=message.pk: enqueue_send(pk), robust=True)
    return queued


def outbox_forget(*, object_type: str, object_id: int) -> int:
    """Erase the personal data of the emails about one object (retention).

    The rows stay, with event, status and dates, for the statistics and the
    audit; recipient, subject and bodies are blanked.
    """
    return OutboxMessage.objects.filter(object_type=object_type, object_id=object_id).update(
        recipient="erased@invalid.example", subject="", body_text="", body_html=""
    )


def staff_email_preference_set(*, user, daily_digest: bool) -> None:
    """Staff email at once (False) or gathered into one daily digest (True).

    Changes: the user's ``StaffEmailPreference``. Sends nothing.
    """
    StaffEmailPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily_digest}
    )


def staff_language_set(*, user, language: str) -> None:
    """The language of ``user``'s staff pages and staff emails.

    Before: ``language`` is one of settings.LANGUAGES. Changes: the user's
    ``StaffEmailPreference``. Sends nothing.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    StaffEmailPreference.objects.update_or_create(user=user, defaults={"language": language})
