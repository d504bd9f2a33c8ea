"""Replies to our emails, received through the ESP's inbound webhook.

anymail's ``inbound`` signal (mounted for the ESP in use and closed without
``ANYMAIL_WEBHOOK_SECRET``, see ``notifications/webhooks.py``) calls
``on_inbound``. A reply lands on a letter only when one of its recipients is the
letter's signed reply address (``links.reply_address``); anything else
(no tag, a forged tag, a letter that no longer exists) is kept as an unmatched
reply for the Secretariat, never dropped and never put on a letter by its
sender. Attachments are checked as uploads are (``uploads.check_upload``): an
accepted one is stored on the private attachments storage, a refused one is
recorded with the reason and not kept.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from applications import links
from applications.uploads import atomic_with_files, check_upload, safe_filename, store_or_refuse

from .models import Letter, LetterReply, ReplyAttachment, ReplyMatch

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 100_000


@dataclass(frozen=True)
class ReceivedFile:
    name: str
    content: bytes


def match_letter(recipients) -> tuple[Letter | None, str]:
    """The letter whose signed reply address is among ``recipients``, and how."""
    tags = links.reply_tags(recipients)
    if not tags:
        return None, ReplyMatch.NO_TAG
    for pk, digest in tags:
        letter = Letter.objects.filter(pk=pk).first()
        if letter is not None and links.reply_tag_valid(letter, digest):
            return letter, ReplyMatch.SIGNED
    return None, ReplyMatch.FORGED


def reply_receive(
    *, sender: str, recipients: list[str], subject: str, text: str, files, esp: str = ""
) -> LetterReply:
    """Record one received email and its files; on its letter if signed for one."""
    letter, match = match_letter(recipients)
    with atomic_with_files() as stored:
        reply = LetterReply.objects.create(
            letter=letter,
            match=match,
            sender=(sender or "")[:320],
            recipients=", ".join(r for r in recipients if r)[:2000],
            subject=(subject or "")[:255],
            body_text=(text or "")[:MAX_BODY_CHARS],
            esp=esp[:30],
        )
        for received in files:
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
                continue
            key = store_or_refuse(checked, stored.keys, refused="")
            ReplyAttachment.objects.create(
                reply=reply,
                original_name=checked.safe_name,
                key=key,
                size=checked.size,
                sha256=checked.sha256,
                content_type=checked.content_type,
            )
    logger.info("inbound reply %s recorded (%s)", reply.pk, match)
    return reply


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
    )
