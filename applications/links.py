"""Signed links that let an applicant reach their letter without a password."""

import hashlib
import hmac
import re
import uuid
import zlib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

STATUS_SALT = "applications.letter.status"
ONBOARDING_SALT = "applications.letter.onboarding"
NOMINATE_SALT = "applications.call.nominate"
CONSENT_SALT = "applications.nomination.consent"
NOMINATION_STATUS_SALT = "applications.nomination.status"
DRAFT_SALT = "applications.letter.draft"
MEMBER_SALT = "applications.member.self_service"
MEMBER_EMAIL_SALT = "applications.member.email_confirm"


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


def onboarding_document_url(letter, document) -> str:
    """A document for new members, behind the member's onboarding link."""
    path = reverse("member_onboarding_document", args=[onboarding_token(letter), document.pk])
    return settings.SITE_URL + path


def letter_public_id_from_onboarding_token(token: str) -> str:
    return _decode(token, salt=ONBOARDING_SALT)


def letter_public_id_from_token(token: str) -> str:
    """Return the letter's public id for a status token, or raise LinkInvalid/LinkExpired."""
    return _decode(token, salt=STATUS_SALT)


def _public_id(value) -> str:
    if not isinstance(value, str) or len(value) > 45:
        raise LinkInvalid
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise LinkInvalid from exc


def _pk(value) -> int:
    # bool is an int to Python; a primary key beyond 64 bits fails in the database.
    if type(value) is not int or not 0 < value < 2**63:
        raise LinkInvalid
    return value


def _digest(value) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{16}", value):
        raise LinkInvalid
    return value


# What each payload key must hold. A payload is signed by us, but a value of
# another type (a key leaked, an old format, a bug) must still end on the
# link-problem page, not in a 500 from the database lookup.
FIELDS = {
    "letter": _public_id,
    "call": _public_id,
    "nomination": _public_id,
    "draft": _public_id,
    "member": _pk,
    "contact": _pk,
    "email": _digest,
}


def _decode(token: str, *, salt: str, keys=("letter",)):
    """The payload's value for ``keys`` (one key: the value; several: a tuple),
    each checked against ``FIELDS``; LinkInvalid for anything else."""
    max_age = timedelta(days=settings.STATUS_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except (signing.BadSignature, ValueError, TypeError, UnicodeError, zlib.error) as exc:
        # ValueError and friends: a payload signed by us that is not JSON, or is
        # compressed garbage.
        raise LinkInvalid from exc
    if not isinstance(payload, dict) or any(key not in payload for key in keys):
        raise LinkInvalid
    values = tuple(FIELDS[key](payload[key]) for key in keys)
    return values[0] if len(values) == 1 else values


def draft_token(draft) -> str:
    """The link to resume a saved letter; it lives as long as the draft does."""
    return signing.dumps({"draft": str(draft.public_id)}, salt=DRAFT_SALT, compress=True)


def draft_path(draft) -> str:
    """The resume page of a letter's draft, or of a nomination's (it has a call)."""
    name = "nomination_draft" if draft.call_id else "letter_draft"
    return reverse(f"applications:{name}", args=[draft_token(draft)])


def draft_url(draft) -> str:
    return settings.SITE_URL + draft_path(draft)


def draft_public_id_from_token(token: str) -> str:
    return _decode(token, salt=DRAFT_SALT, keys=("draft",))


# Calls and nominations. A nomination link is bound to one call and one member;
# a consent link to one nomination and the nominee's address at the time it was
# sent; a nomination's status link to the nomination. Each has its own salt, so
# no link works for another purpose.


def nominate_token(call, member) -> str:
    payload = {"call": str(call.public_id), "member": member.pk}
    return signing.dumps(payload, salt=NOMINATE_SALT, compress=True)


def nominate_url(call, member) -> str:
    path = reverse("applications:nomination_create", args=[nominate_token(call, member)])
    return settings.SITE_URL + path


def call_and_member_from_token(token: str) -> tuple[str, int]:
    return _decode(token, salt=NOMINATE_SALT, keys=("call", "member"))


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def consent_token(nomination) -> str:
    payload = {
        "nomination": str(nomination.public_id),
        "email": _email_digest(nomination.nominee_email),
    }
    return signing.dumps(payload, salt=CONSENT_SALT, compress=True)


def consent_url(nomination) -> str:
    path = reverse("applications:nomination_consent", args=[consent_token(nomination)])
    return settings.SITE_URL + path


def nomination_from_consent_token(token: str) -> tuple[str, str]:
    """(nomination public id, digest of the nominee's address) of a consent link."""
    return _decode(token, salt=CONSENT_SALT, keys=("nomination", "email"))


def consent_token_matches(nomination, email_digest: str) -> bool:
    return hmac.compare_digest(_email_digest(nomination.nominee_email), email_digest)


def nomination_status_token(nomination) -> str:
    payload = {"nomination": str(nomination.public_id)}
    return signing.dumps(payload, salt=NOMINATION_STATUS_SALT, compress=True)


def nomination_status_path(nomination) -> str:
    return reverse("applications:nomination_status", args=[nomination_status_token(nomination)])


def nomination_status_url(nomination) -> str:
    return settings.SITE_URL + nomination_status_path(nomination)


def nomination_from_status_token(token: str) -> str:
    return _decode(token, salt=NOMINATION_STATUS_SALT, keys=("nomination",))


# Members' self-service. The link is signed for one contact of one member and
# the contact's address when it was sent: it stops working when the contact is
# removed or its address changes. An address-confirmation link is signed for
# the contact and the new address it confirms.


def member_token(contact) -> str:
    payload = {
        "member": contact.organisation_id,
        "contact": contact.pk,
        "email": _email_digest(contact.email),
    }
    return signing.dumps(payload, salt=MEMBER_SALT, compress=True)


def member_path(contact) -> str:
    return reverse("member_self_service", args=[member_token(contact)])


def member_url(contact) -> str:
    return settings.SITE_URL + member_path(contact)


def member_contact_from_token(token: str) -> tuple[int, int, str]:
    """(member pk, contact pk, digest of the contact's address) of a member link."""
    return _decode(token, salt=MEMBER_SALT, keys=("member", "contact", "email"))


def member_contact_matches(contact, email_digest: str) -> bool:
    return hmac.compare_digest(_email_digest(contact.email), email_digest)


def member_email_token(contact) -> str:
    payload = {"contact": contact.pk, "email": _email_digest(contact.pending_email)}
    return signing.dumps(payload, salt=MEMBER_EMAIL_SALT, compress=True)


def member_email_url(contact) -> str:
    path = reverse("member_email_confirm", args=[member_email_token(contact)])
    return settings.SITE_URL + path


def member_email_from_token(token: str) -> tuple[int, str]:
    """(contact pk, digest of the address to confirm) of a confirmation link."""
    return _decode(token, salt=MEMBER_EMAIL_SALT, keys=("contact", "email"))


def resolve(token: str, *, decode, get) -> tuple[object | None, bool]:
    """The object a signed link names, as ``(object, expired)``.

    ``decode`` turns the token into the object's key (raising ``LinkInvalid`` or
    ``LinkExpired``), ``get`` the key into the object or None. An altered link,
    or one whose object is gone, gives ``(None, False)``; an expired one
    ``(None, True)``: the page says which.
    """
    try:
        key = decode(token)
    except LinkExpired:
        return None, True
    except LinkInvalid:
        return None, False
    return get(key), False


# Reply addresses. An email about a letter or a nomination carries a Reply-To of
# the Secretariat's address plus a tag naming it and signed with SECRET_KEY:
# ``secretariat+l42-<16 hex>@example.org`` (a letter), ``secretariat+n7-…`` (a
# nomination). A reply that reaches the inbound webhook is matched by checking
# that tag, never by its sender.
REPLY_SALT = "applications.letter.reply"
# The tag's letter per kind of object (its model name).
REPLY_KINDS = {"l": "letter", "n": "nomination"}
_REPLY_TAG = re.compile(r"\+([ln])([1-9][0-9]{0,17})-([0-9a-f]{16})@", re.IGNORECASE)


def _reply_digest(kind: str, pk: int, public_id) -> str:
    key = f"{REPLY_SALT}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{kind}:{pk}:{public_id}".encode(), hashlib.sha256).hexdigest()[:16]


def reply_address(obj) -> str:
    """The Secretariat's address tagged with this letter's (or nomination's) signed tag."""
    kind = obj._meta.model_name
    letter = next(short for short, name in REPLY_KINDS.items() if name == kind)
    local, _, domain = settings.SECRETARIAT_EMAIL.partition("@")
    return f"{local}+{letter}{obj.pk}-{_reply_digest(kind, obj.pk, obj.public_id)}@{domain}"


def reply_tags(addresses) -> list[tuple[str, int, str]]:
    """The (model name, pk, digest) of every reply tag found in ``addresses`` (unchecked)."""
    found = []
    for address in addresses:
        for match in _REPLY_TAG.finditer(f"{address or ''}@"):
            found.append((REPLY_KINDS[match[1].lower()], int(match[2]), match[3].lower()))
    return found


def reply_tag_valid(obj, digest: str) -> bool:
    expected = _reply_digest(obj._meta.model_name, obj.pk, obj.public_id)
    return hmac.compare_digest(expected, digest)
