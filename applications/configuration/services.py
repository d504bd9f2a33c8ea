"""Writes on the Secretariat's settings: every save and restore is a new
``SettingVersion``; nothing is edited or deleted."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from applications.exceptions import DomainError
from applications.versions import check_can_edit

from . import defaults
from .models import SettingVersion
from .selectors import setting_value


def version_add(*, key: str, value, by, restored_from=None) -> SettingVersion:
    """A new version of ``key`` (settings and questions' history alike).

    Before: inside the caller's checks. Changes: one ``SettingVersion``.
    """
    with transaction.atomic():
        latest = (
            SettingVersion.objects.select_for_update()
            .filter(key=key)
            .aggregate(n=Max("number"))["n"]
        )
        return SettingVersion.objects.create(
            key=key,
            number=(latest or 0) + 1,
            value=value,
            created_by=by,
            restored_from=restored_from,
        )


def setting_save(*, key: str, value, by) -> SettingVersion | None:
    """Save a new value of one of the Secretariat's settings.

    Before: ``by`` has ``applications.edit_texts``; ``value`` is well formed for
    ``key`` (else DomainError saying what is wrong). Changes: a new version,
    unless the value is the one in use (then nothing, and None is returned).
    Sends nothing; the next page, reminder or deadline uses it.
    """
    check_can_edit(by)
    if key not in defaults.KEYS:
        raise DomainError(f"unknown setting {key!r}")
    value = defaults.clean(key, value)
    with transaction.atomic():
        if value == setting_value(key):
            return None
        return version_add(key=key, value=value, by=by)


def setting_restore(*, version: SettingVersion, by) -> SettingVersion | None:
    """Use an earlier value of a setting again: a new version with its value.

    Before: ``by`` has ``applications.edit_texts``. Changes: a new version
    restored from ``version``, unless its value is already in use. Sends nothing.
    """
    check_can_edit(by)
    if version.key not in defaults.KEYS:
        raise DomainError(_("Only settings can be restored here."))
    value = defaults.clean(version.key, version.value)
    with transaction.atomic():
        if value == setting_value(version.key):
            return None
        return version_add(key=version.key, value=value, by=by, restored_from=version)
