"""Drafts: a letter or a nomination saved with "Save and continue later"."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.choices import Language
from applications.stored_files import StoredFile


class LetterDraft(models.Model):
    """A letter or a nomination saved with "Save and continue later", not sent.

    Not a letter nor a nomination: no review process, no staff email, in no list or
    dashboard. It holds what the form posted and the files already checked, and is
    deleted with them ``DRAFT_EXPIRY_DAYS`` after it was last saved
    (``applications.drafts.services``). A nomination's draft has its call and the
    member nominating; a letter's has neither.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.ES
    )
    # {field name: [values]}, as the form posted them (files apart).
    data = models.JSONField(default=dict)
    saves = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    call = models.ForeignKey(
        "applications.Call", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The member whose nomination link the draft was saved from: its nomination
    # contacts get the resume link (notifications' "nominator" audience reads this name).
    nominated_by = models.ForeignKey(
        "applications.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("draft letter")
        verbose_name_plural = _("draft letters")

    def __str__(self):
        return f"draft {self.public_id}"


class DraftFile(StoredFile):
    """A file of a draft, checked like every upload and stored privately."""

    draft = models.ForeignKey(LetterDraft, on_delete=models.CASCADE, related_name="files")
    # A letter's AttachmentKind or a nomination's NominationAttachmentKind.
    kind = models.CharField(_("kind"), max_length=20)

    class Meta(StoredFile.Meta):
        pass
