"""Replies to our emails, received through the ESP's inbound webhook.

anymail's ``inbound`` signal (mounted for the ESP in use and closed without
``ANYMAIL_WEBHOOK_SECRET``, see ``notifications/webhooks.py``) calls
``on_inbound``. A reply lands on a letter or a nomination only when one of its
recipients is that object's signed reply address (``links.reply_address``);
anything else (no tag, a forged tag, an object that no longer exists) is kept as
an unmatched reply for the Secretariat, never dropped and never put on a letter
by its sender. Attachments are checked as uploads are (``uploads.check_upload``):
an accepted one is stored on the private attachments storage, a refused one is
recorded with the reason and not kept.

A reply is stored whole or not at all: if the store is unreachable while its
files are written, nothing is kept and ``StorageUnavailable`` goes up to the
webhook, which answers 503 so that the ESP posts it again later. A message the
ESP posts again (the same Message-ID) is stored once.

It lives beside letters and nominations, not in either, because it matches both.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError

from applications import events, links
from applications.letters.models import Letter, LetterReply, ReplyAttachment, ReplyMatch
from applications.nominations.models import Nomination
from applications.uploads import atomic_with_files, check_upload, safe_filename, store_or_refuse

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 100_000
# What a reply tag may name: the model name of ``links.REPLY_KINDS`` -> its model.
REPLYABLE = {"letter": Letter, "nomination": Nomination}


@dataclass(frozen=True)
class ReceivedFile:
    name: str
    content: bytes


def reply_match(recipients) -> tuple[Letter | Nomination | None, str]:
    """The letter or nomination whose signed reply address is among ``recipients``, and how."""
    tags = links.reply_tags(recipients)
    if not tags:
        return None, ReplyMatch.NO_TAG
    for kind, pk, digest in tags:
        obj = REPLYABLE[kind].objects.filter(pk=pk).first()
        if obj is not None and links.reply_tag_valid(obj, digest):
            return obj, ReplyMatch.SIGNED
    return None, ReplyMatch.FORGED


def reply_receive(
    *,
    sender: str,
    recipients: list[str],
    subject: str,
    text: str,
    files,
    esp: str = "",
    message_id: str = "",
) -> LetterReply:
    """Record one received email and its files; on its letter or nomination if signed.

    Before: the webhook checked the ESP's secret or signature. Changes: one
    ``LetterReply`` with its ``ReplyAttachment`` rows and the accepted files in the
    private bucket; nothing if a reply with the same ``message_id`` is already
    stored (that one is returned). Raises ``StorageUnavailable`` with nothing kept
    if the store is unreachable. Sends: ``reply_received`` (a notice to whoever
    holds the letter's or nomination's open task) when it landed on one.
    """
    message_id = (message_id or "").strip()[:255]
    if message_id and (known := LetterReply.objects.filter(message_id=message_id).first()):
        logger.info("inbound reply %s already stored as %s", message_id, known.pk)
        return known
    target, match = reply_match(recipients)
    try:
        with atomic_with_files() as stored:
            reply = LetterReply.objects.create(
                letter=target if isinstance(target, Letter) else None,
                nomination=target if isinstance(target, Nomination) else None,
                match=match,
                message_id=message_id,
                sender=(sender or "")[:320],
                recipients=", ".join(r for r in recipients if r)[:2000],
                subject=(subject or "")[:255],
                body_text=(text or "")[:MAX_BODY_CHARS],
                esp=esp[:30],
            )
            for received in files:
                _attach(reply, received, stored.keys)
            if target is not None:
                events.emit("reply_received", reply, nonce=str(reply.pk))
    except IntegrityError:
        # The same message posted twice at once: the other request stored it.
        known = LetterReply.objects.filter(message_id=message_id).first() if message_id else None
        if known is None:
            raise
        return known
    logger.info("inbound reply %s recorded (%s)", reply.pk, match)
    return reply


def _attach(reply: LetterReply, received: ReceivedFile, keys: list[str]) -> None:
    upload = ContentFile(received.content, name=received.name or "document")
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        ReplyAttachment.objects.create(
            reply=reply,
            original_name=safe_filename(received.name),
            size=len(received.content),
            refused=" ".join(exc.messages),
        )
        return
    key = store_or_refuse(checked, keys, refused="")
    ReplyAttachment.objects.create(
        reply=reply,
        original_name=checked.safe_name,
        key=key,
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
    )


def on_inbound(sender, event, esp_name, **kwargs):
    """anymail's ``inbound`` signal: one received email, in anymail's format."""
    message = event.message
    recipients = [message.envelope_recipient or ""]
    for field in ("to", "cc"):
        recipients += [address.addr_spec for address in getattr(message, field, None) or []]
    recipients += message.get_all("Delivered-To", []) or []
    files = [
        ReceivedFile(name=part.get_filename() or "", content=part.get_content_bytes() or b"")
        for part in message.attachments
    ]
    reply_receive(
        sender=message.from_email.addr_spec if message.from_email else "",
        recipients=[str(r) for r in recipients if r],
        subject=message.subject or "",
        text=message.text or "",
        files=files,
        esp=esp_name or "",
        message_id=str(message.get("Message-ID") or ""),
    )
