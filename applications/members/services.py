"""Writes on member organisations, for the letters and nominations that make and
use them (the CSV import writes through ``members.imports``)."""

from __future__ import annotations

from django.utils import timezone

from .models import Organisation


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
) -> Organisation:
    """The organisation of an approved letter: not yet a member, not listed.

    Changes: a new ``Organisation``. Sends nothing.
    """
    return Organisation.objects.create(
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
