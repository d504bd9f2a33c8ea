"""The things people submit: letters of interest, their files, member organisations."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from . import directory_cache, matching
from .choices import (
    AttachmentKind,
    Constituency,
    Language,
    LetterStatus,
    NominationAttachmentKind,
    NominationStatus,
    PriorityArea,
    Recommendation,
)
from .regions import Region, region_for

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


class Organisation(models.Model):
    """A member organisation of the Alliance, created when its letter is approved."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    constituency = models.CharField(_("constituency"), max_length=40, choices=Constituency)
    country = CountryField(_("country"))
    region = models.CharField(
        _("region"), max_length=30, choices=Region, blank=True, db_index=True, editable=False
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("contact email"))
    language = models.CharField(_("language"), max_length=2, choices=Language)
    priority_areas = models.JSONField(_("priority areas"), default=list, blank=True)
    public_listing = models.BooleanField(_("listed in the public directory"), default=False)
    member_since = models.DateField(_("member since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Any change moves it, which renews the cached directory pages.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Matching keys (see applications.matching), kept in step by save().
    name_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    website_domain = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    # The member's logo, re-encoded as PNG, on the "attachments" storage.
    logo_key = models.CharField(max_length=255, blank=True, editable=False)
    # Stable key of a member imported from the old roll, so a re-import updates it.
    import_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = matching.name_key(self.name)
        self.website_domain = matching.website_domain(self.website)
        self.region = region_for(self.country.code if self.country else "")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "name_key",
                "website_domain",
                "region",
                "updated_at",
            }
        super().save(*args, **kwargs)
        directory_cache.changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        directory_cache.changed()
        return result


class Letter(ConcurrentTransitionMixin, models.Model):
    """A letter of expression of interest in joining the Alliance.

    ``status`` is protected: only the transition methods below change it, and
    only the services in ``applications.services`` call them.
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


class Attachment(models.Model):
    """A file sent with a letter. Private: served only through a permission check."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind)
    original_name = models.CharField(_("file name"), max_length=255)
    # Unguessable storage key on the "attachments" storage.
    key = models.CharField(max_length=255, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    revision = models.PositiveSmallIntegerField(default=1)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


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


class CallPhase(models.TextChoices):
    SCHEDULED = "scheduled", _("Opens soon")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Call(models.Model):
    """A call for nominations to the Management Committee, with seats per constituency."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    description_es = models.TextField(_("description (Spanish)"), max_length=10000)
    description_en = models.TextField(_("description (English)"), max_length=10000)
    description_fr = models.TextField(_("description (French)"), max_length=10000)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Mexico_City")
    # Set once the members were invited to nominate (the invitation goes once).
    invitations_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set once nominations still waiting for consent were lapsed at closing.
    lapsed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("call for nominations")
        verbose_name_plural = _("calls for nominations")
        permissions = [("manage_call", "Can create and edit calls for nominations")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_it_opens",
            )
        ]

    def __str__(self):
        return self.title_en

    def get_absolute_url(self):
        return reverse("applications:call_detail", args=[self.public_id])

    def _localised(self, field: str) -> str:
        language = (get_language() or "es")[:2]
        if language not in ("es", "en", "fr"):
            language = "es"
        return getattr(self, f"{field}_{language}") or getattr(self, f"{field}_es")

    @property
    def title(self) -> str:
        return self._localised("title")

    @property
    def description(self) -> str:
        return self._localised("description")

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return CallPhase.SCHEDULED
        if now < self.closes_at:
            return CallPhase.OPEN
        return CallPhase.CLOSED

    def get_phase_display(self) -> str:
        return CallPhase(self.phase()).label


class CallSeat(models.Model):
    """How many committee seats a constituency fills through a call."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="seats")
    constituency = models.CharField(_("constituency"), max_length=40, choices=Constituency)
    seats = models.PositiveSmallIntegerField(_("seats"))

    class Meta:
        ordering = ["call", "constituency"]
        constraints = [
            models.UniqueConstraint(fields=["call", "constituency"], name="one_seat_row_per_call"),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="seat_count_positive"),
        ]

    def __str__(self):
        return f"{self.get_constituency_display()}: {self.seats}"


class Nomination(ConcurrentTransitionMixin, models.Model):
    """A member organisation's nomination of a person to the Management Committee.

    ``status`` is protected: only the transition methods below change it, and
    only the services in ``applications.nominations.services`` call them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="nominations")
    nominated_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="nominations_made",
        verbose_name=_("nominating member"),
    )
    nominee_name = models.CharField(_("nominee's name"), max_length=150)
    nominee_email = models.EmailField(_("nominee's e-mail"))
    nominee_position = models.CharField(_("nominee's position"), max_length=150)
    nominee_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="nominees",
        verbose_name=_("member organisation of the nominee"),
    )
    nominee_language = models.CharField(
        _("nominee's language"), max_length=2, choices=Language, default=Language.ES
    )
    constituency = models.CharField(_("constituency"), max_length=40, choices=Constituency)
    motivation = models.TextField(_("statement of motivation"), max_length=5000)

    status = FSMField(
        _("status"),
        max_length=20,
        choices=NominationStatus,
        default=NominationStatus.AWAITING_CONSENT,
        protected=True,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("nominated"), auto_now_add=True)
    consent_answered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recommendation = models.CharField(max_length=10, choices=Recommendation, blank=True)
    screening_note = models.TextField(_("internal note"), blank=True)
    screening_checklist = models.JSONField(_("eligibility checklist"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    onboarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        permissions = [
            ("screen_nomination", "Can screen nominations (secretariat)"),
            ("decide_nomination", "Can decide on nominations (committee)"),
            ("onboard_nomination", "Can onboard committee members (secretariat)"),
        ]
        constraints = [
            # One nominee once per call (the address is stored lower-cased).
            models.UniqueConstraint(
                fields=["call", "nominee_email"], name="one_nomination_per_nominee_and_call"
            )
        ]

    def __str__(self):
        return f"{self.nominee_name} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.nominee_email = self.nominee_email.strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("review:nomination_detail", args=[self.pk])

    # Transitions only change the state; their side effects live in the services.

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status, source=NominationStatus.AWAITING_CONSENT, target=NominationStatus.SUBMITTED
    )
    def accept(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status, source=NominationStatus.AWAITING_CONSENT, target=NominationStatus.DECLINED
    )
    def decline(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status, source=NominationStatus.AWAITING_CONSENT, target=NominationStatus.LAPSED
    )
    def lapse(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=NominationStatus.SUBMITTED,
        target=NominationStatus.REVIEWED,
        permission="applications.screen_nomination",
    )
    def screen(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=NominationStatus.REVIEWED,
        target=NominationStatus.APPROVED,
        permission="applications.decide_nomination",
    )
    def approve(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=NominationStatus.REVIEWED,
        target=NominationStatus.REJECTED,
        permission="applications.decide_nomination",
    )
    def reject(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=NominationStatus.APPROVED,
        target=NominationStatus.ONBOARDED,
        permission="applications.onboard_nomination",
    )
    def onboard(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[
            NominationStatus.AWAITING_CONSENT,
            NominationStatus.SUBMITTED,
            NominationStatus.REVIEWED,
        ],
        target=NominationStatus.WITHDRAWN,
    )
    def withdraw(self, by=None, description=None):
        pass


class NominationAttachment(models.Model):
    """The nominee's CV or the endorsement letter. Private, like letter attachments."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=NominationAttachmentKind)
    original_name = models.CharField(_("file name"), max_length=255)
    key = models.CharField(max_length=255, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("nomination attachment")
        verbose_name_plural = _("nomination attachments")

    def __str__(self):
        return self.original_name


class OrphanFile(models.Model):
    """A stored file whose record was rolled back and that could not be deleted then
    (the store was down). The daily retention run deletes it once the store is back."""

    key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return self.key
