"""A letter of expression of interest, its files, its submissions and its onboarding."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from applications import matching
from applications.choices import (
    AttachmentKind,
    Constituency,
    Language,
    LetterStatus,
    PriorityArea,
    Recommendation,
)
from applications.members.models import Organisation
from applications.stored_files import StoredFile

# The fields an applicant writes, in the order the form and the history show them.
LETTER_CONTENT_FIELDS = (
    "organisation_name",
    "acronym",
    "constituency",
    "country",
    "website",
    "contact_name",
    "contact_role",
    "contact_email",
    "language",
    "care_work",
    "motivation",
    "priority_areas",
    "consent_privacy",
    "consent_public_listing",
)


class Letter(ConcurrentTransitionMixin, models.Model):
    """A letter of expression of interest in joining the Alliance.

    ``status`` is protected: only the transition methods below change it, and
    only the services in ``applications.letters.services`` call them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Set from a hidden field of the form, so that a second click on "submit"
    # finds the letter the first click created instead of making another.
    idempotency_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    organisation_name = models.CharField(_("organisation name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    constituency = models.CharField(_("constituency"), max_length=40, choices=Constituency)
    country = CountryField(_("country"))
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_role = models.CharField(_("position of the contact person"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.ES
    )
    care_work = models.TextField(_("the organisation's work on care"), max_length=5000)
    motivation = models.TextField(_("motivation to join the Alliance"), max_length=5000)
    priority_areas = models.JSONField(_("priority areas"), default=list)
    consent_privacy = models.BooleanField(_("accepts the privacy notice"), default=False)
    consent_public_listing = models.BooleanField(
        _("agrees to be listed in the public member directory"), default=False
    )
    # Answers to the Secretariat's extra questions, each with the question's
    # wording it was answered under (see applications.questions).
    answers = models.JSONField(_("answers to the extra questions"), default=list, blank=True)

    status = FSMField(
        _("status"),
        max_length=20,
        choices=LetterStatus,
        default=LetterStatus.SUBMITTED,
        protected=True,
        db_index=True,
    )
    revision = models.PositiveSmallIntegerField(_("submission number"), default=1)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Screening (secretariat).
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recommendation = models.CharField(max_length=10, choices=Recommendation, blank=True)
    screening_note = models.TextField(_("internal note"), blank=True)
    message_to_applicant = models.TextField(_("message to the applicant"), blank=True)

    # Decision (committee).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When it was rejected or withdrawn: the retention clock (a later save moves
    # ``updated_at``, never this).
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )

    # Matching keys (see applications.matching), kept in step by save(), and the
    # number of other letters and members that share one of them.
    name_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    website_domain = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    email_domain = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    duplicate_count = models.PositiveSmallIntegerField(default=0, editable=False)
    screening_checklist = models.JSONField(_("eligibility checklist"), default=dict, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("letter of interest")
        verbose_name_plural = _("letters of interest")
        # For the dashboard (review/dashboard.py): its grouped counts and medians
        # read these instead of every letter's row.
        indexes = [
            models.Index(fields=["constituency"], name="letter_constituency_idx"),
            models.Index(fields=["country"], name="letter_country_idx"),
            models.Index(fields=["decided_at", "submitted_at"], name="letter_decided_idx"),
            models.Index(fields=["onboarded_at", "submitted_at"], name="letter_onboarded_idx"),
            models.Index(fields=["updated_at"], name="letter_updated_idx"),
            # The staff letter list's sorts (review/selectors.py:SORTS): a page is
            # read in index order, and its open task looked up for its 25 rows only.
            models.Index(fields=["submitted_at", "id"], name="letter_submitted_idx"),
            models.Index(fields=["organisation_name", "id"], name="letter_name_idx"),
        ]
        permissions = [
            ("screen_letter", "Can screen letters (secretariat)"),
            ("decide_letter", "Can decide on letters (committee)"),
            ("onboard_letter", "Can onboard new members (secretariat)"),
        ]

    def __str__(self):
        return f"{self.organisation_name} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.name_key = matching.name_key(self.organisation_name)
        self.website_domain = matching.website_domain(self.website)
        self.email_domain = matching.email_domain(self.contact_email)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("review:letter_detail", args=[self.pk])

    def content(self) -> dict:
        """The applicant's fields as plain JSON values (for revisions and diffs)."""
        data = {field: getattr(self, field) for field in LETTER_CONTENT_FIELDS}
        data["country"] = str(self.country.code if self.country else "")
        data["answers"] = list(self.answers or [])
        return data

    def priority_area_labels(self) -> list[str]:
        labels = dict(PriorityArea.choices)
        return [str(labels.get(key, key)) for key in self.priority_areas]

    # Transitions only change the state; their side effects live in the services.

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=LetterStatus.CHANGES_REQUESTED, target=LetterStatus.SUBMITTED)
    def resubmit(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=LetterStatus.SUBMITTED,
        target=LetterStatus.REVIEWED,
        permission="applications.screen_letter",
    )
    def screen(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=LetterStatus.SUBMITTED,
        target=LetterStatus.CHANGES_REQUESTED,
        permission="applications.screen_letter",
    )
    def request_changes(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=LetterStatus.REVIEWED,
        target=LetterStatus.APPROVED,
        permission="applications.decide_letter",
    )
    def approve(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=LetterStatus.REVIEWED,
        target=LetterStatus.REJECTED,
        permission="applications.decide_letter",
    )
    def reject(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=LetterStatus.APPROVED,
        target=LetterStatus.ONBOARDED,
        permission="applications.onboard_letter",
    )
    def onboard(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[
            LetterStatus.SUBMITTED,
            LetterStatus.CHANGES_REQUESTED,
            LetterStatus.REVIEWED,
        ],
        target=LetterStatus.WITHDRAWN,
    )
    def withdraw(self, by=None, description=None):
        pass


class Attachment(StoredFile):
    """A file sent with a letter. Private: served only through a permission check."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind)
    revision = models.PositiveSmallIntegerField(default=1)

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class LetterRevision(models.Model):
    """What the applicant sent at each submission, to show what changed."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["letter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="unique_letter_revision")
        ]

    def __str__(self):
        return f"{self.letter_id} #{self.number}"


class OnboardingChecklist(models.Model):
    """What a new member confirmed through its onboarding link."""

    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, related_name="onboarding")
    brand_manual_acknowledged = models.BooleanField(default=False)
    contacts = models.JSONField(_("contacts for Alliance mail"), default=list)
    communities = models.JSONField(_("communities of practice"), default=list)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("onboarding checklist")
        verbose_name_plural = _("onboarding checklists")

    def __str__(self):
        return f"{self.letter_id}: {'done' if self.completed_at else 'open'}"


class OnboardingDocumentKind(models.TextChoices):
    BRAND_MANUAL = "brand_manual", _("Brand manual")
    OTHER = "other", _("Other onboarding document")


class OnboardingDocument(models.Model):
    """A document every new member receives (the brand manual...), in one language.

    The Secretariat uploads it in the admin; the approval email and the onboarding
    checklist link to it through a download view behind the onboarding link.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OnboardingDocumentKind)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    original_name = models.CharField(_("file name"), max_length=255)
    key = models.CharField(max_length=255, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    is_active = models.BooleanField(_("sent to new members"), default=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "language", "-uploaded_at", "pk"]
        verbose_name = _("onboarding document")
        verbose_name_plural = _("onboarding documents")

    def __str__(self):
        return f"{self.title} ({self.language})"


class ReplyMatch(models.TextChoices):
    """How a received email was matched to a letter (or why it was not)."""

    SIGNED = "signed", _("Matched by its signed reply address")
    NO_TAG = "no_tag", _("Not sent to a reply address")
    FORGED = "forged", _("Its reply address is not signed by us")


class LetterReply(models.Model):
    """An email received through the ESP's inbound webhook. On a letter (or a
    nomination) only when its reply address was signed for it; otherwise
    unmatched (both empty), kept for the Secretariat to read."""

    letter = models.ForeignKey(
        Letter, null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # A reply to an email about a nomination lands on the nomination instead.
    nomination = models.ForeignKey(
        "applications.Nomination",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    match = models.CharField(_("match"), max_length=10, choices=ReplyMatch)
    # The email's Message-ID: an ESP that retries a message (after a 503) stores it once.
    message_id = models.CharField(max_length=255, blank=True, default="")
    sender = models.CharField(_("from"), max_length=320, blank=True)
    recipients = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    esp = models.CharField(max_length=30, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~models.Q(message_id=""),
                name="unique_reply_message_id",
            )
        ]
        verbose_name = _("received reply")
        verbose_name_plural = _("received replies")

    def __str__(self):
        return f"{self.sender}: {self.subject}"


class ReplyAttachment(models.Model):
    """A file of a received reply: stored (checked like an upload) or refused, with why."""

    reply = models.ForeignKey(LetterReply, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=255)
    # Empty when refused: a refused file is not kept, so it can never be served.
    key = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    refused = models.TextField(_("refused because"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("reply attachment")
        verbose_name_plural = _("reply attachments")

    def __str__(self):
        return self.original_name
