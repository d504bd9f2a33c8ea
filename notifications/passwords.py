"""The staff password-reset email, through the outbox.

Django's reset form looks the address up and sends the email inside the request:
a known address took ten times as long to answer as an unknown one (telling
anyone which addresses are staff), and with the ESP down the person was told the
email was sent when it never would be. Here the request only queues
``password_reset_send`` with the address typed, the same single write whether or
not it belongs to someone (``config.passwords.OutboxPasswordResetForm``); the
worker looks the address up and, for an active account with a password, writes
the email as an outbox row, retried through an ESP outage like every email.
"""

import secrets

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from .services import STAFF, Recipient, _queue

EVENT = "password_reset"


def reset_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])


@task()
def password_reset_send(email: str, language: str) -> int:
    """Queue the reset email for each active account with a password at ``email``.

    Before: someone asked for a reset on the public form. Changes: one outbox row
    per account found (none for an unknown address). Sends: those rows, after
    commit. Returns how many were queued.
    """
    queued = 0
    for user in PasswordResetForm().get_users(email):
        recipient = Recipient(getattr(user, user.get_email_field_name()), language, STAFF)
        queued += len(
            _queue(
                event=EVENT,
                obj=user,
                recipients=[recipient],
                log=None,
                nonce=secrets.token_hex(8),
                extra={"user": user, "reset_url": reset_url(user)},
            )
        )
    return queued
