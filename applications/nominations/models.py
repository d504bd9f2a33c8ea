"""Calls for nominations to the Management Committee, their seats, and nominations."""

import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from applications.choices import (
    Constituency,
    Language,
    NominationAttachmentKind,
    NominationStatus,
    Recommendation,
)
from applications.members.models import Organisation
from applications.stored_files import StoredFile


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
    # The committee term the seats of this call serve, shown beside each seat.
    term_starts = models.DateField(_("committee term starts"), null=True, blank=True)
    term_ends = models.DateField(_("committee term ends"), null=True, blank=True)
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

    def term_text(self) -> str:
        """The seats' term in the reader's language ("" when none was given)."""
        start = date_format(self.term_starts, "DATE_FORMAT") if self.term_starts else ""
        end = date_format(self.term_ends, "DATE_FORMAT") if self.term_ends else ""
        if start and end:
            return _("term %(start)s – %(end)s") % {"start": start, "end": end}
        if start:
            return _("term from %(start)s") % {"start": start}
        if end:
            return _("term until %(end)s") % {"end": end}
        return ""

    def get_phase_display(self) -> str:
        return CallPhase(self.phase()).label

    def closing_text(self) -> str:
        """The closing date and time in the reader's language and the call's time zone."""
        local = timezone.localtime(self.closes_at, ZoneInfo(self.time_zone))
        return f"{date_format(local, 'DATETIME_FORMAT')} ({self.time_zone})"


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
    # Answers to the call's extra questions (see applications.questions).
    answers = models.JSONField(_("answers to the extra questions"), default=list, blank=True)

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
    # When it was declined, lapsed, rejected or withdrawn: the retention clock
    # (a later save must not restart it, as updated_at would).
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

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


class NominationAttachment(StoredFile):
    """The nominee's CV or the endorsement letter. Private, like letter attachments."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=NominationAttachmentKind)

    class Meta(StoredFile.Meta):
        verbose_name = _("nomination attachment")
        verbose_name_plural = _("nomination attachments")
