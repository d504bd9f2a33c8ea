"""Signed links that let an applicant reach their letter without a password."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

STATUS_SALT = "applications.letter.status"
ONBOARDING_SALT = "applications.letter.onboarding"


class LinkInvalid(Exception):
    """The link was altered or is not one of ours."""


class LinkExpired(Exception):
    """The link was ours but is too old."""


def status_token(letter) -> str:
    return signing.dumps({"letter": str(letter.public_id)}, salt=STATUS_SALT, compress=True)


def status_path(letter) -> str:
    return reverse("applications:letter_status", args=[status_token(letter)])


def status_url(letter) -> str:
    return settings.SITE_URL + status_path(letter)


def onboarding_token(letter) -> str:
    return signing.dumps({"letter": str(letter.public_id)}, salt=ONBOARDING_SALT, compress=True)


def onboarding_url(letter) -> str:
    return settings.SITE_URL + reverse("member_onboarding", args=[onboarding_token(letter)])


def letter_public_id_from_onboarding_token(token: str) -> str:
    return _decode(token, salt=ONBOARDING_SALT)


def letter_public_id_from_token(token: str) -> str:
    """Return the letter's public id for a status token, or raise LinkInvalid/LinkExpired."""
    return _decode(token, salt=STATUS_SALT)


def _decode(token: str, *, salt: str) -> str:
    max_age = timedelta(days=settings.STATUS_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    if not isinstance(payload, dict) or "letter" not in payload:
        raise LinkInvalid
    return payload["letter"]
