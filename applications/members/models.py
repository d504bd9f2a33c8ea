"""Organisations once they are members of the Alliance."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from applications import matching
from applications.choices import Constituency, Language, PriorityArea
from applications.regions import Region, region_for

from . import directory_cache


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class ContactRole(models.TextChoices):
    FOCAL_POINT = "focal_point", _("Focal point")
    COMMUNICATIONS = "communications", _("Communications")
    COMMITTEE_DELEGATE = "committee_delegate", _("Committee delegate")


class Organisation(models.Model):
    """A member organisation of the Alliance, created when its letter is approved.

    ``membership_status`` is protected: only the transition methods below change
    it, through ``members.services`` (``member_suspend``, ``member_restore``,
    ``member_end``). ``contact_email`` and ``language`` mirror the focal point
    (``MemberContact``), kept in step by the contact services, for the readers
    that need one address (matching, nominations' eligibility, exports).
    """

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
    # The directory's search and order without case or accents (matching.fold), the
    # same on SQLite and PostgreSQL: "confederacion" finds "Confederación".
    search_text = models.CharField(max_length=240, blank=True, editable=False)
    sort_name = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    # The member's logo, re-encoded as PNG, on the "attachments" storage.
    logo_key = models.CharField(max_length=255, blank=True, editable=False)
    # Stable key of a member imported from the old roll, so a re-import updates it.
    import_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    # The directory description in each language ({"es": "...", "fr": "..."});
    # ``description`` is the one given at onboarding, shown when a language has none.
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    membership_status = FSMField(
        _("membership"),
        max_length=20,
        choices=MembershipStatus,
        default=MembershipStatus.ACTIVE,
        protected=True,
        db_index=True,
    )
    ended_at = models.DateTimeField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    # The yearly re-confirmation: when it was asked, answered, and when the
    # Secretariat was given a follow-up task for an unanswered one.
    reconfirmation_requested_at = models.DateTimeField(null=True, blank=True)
    reconfirmed_at = models.DateTimeField(null=True, blank=True)
    reconfirmation_follow_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        # The public directory (members.selectors.directory_members) at 10,000
        # members: a page walks the first index in name order and stops after its
        # 50 rows, where the state index alone fetched and sorted every row; its
        # count (with a region, a constituency or a search), its counts per
        # constituency and its countries read the second alone, never the rows.
        # (A boolean test is not an equality SQLite can seek on, so
        # ``public_listing`` comes after the columns it can.)
        indexes = [
            models.Index(fields=["membership_status", "sort_name"], name="org_directory_order_idx"),
            models.Index(
                fields=[
                    "membership_status",
                    "region",
                    "constituency",
                    "country",
                    "public_listing",
                    "member_since",
                    "search_text",
                ],
                name="org_directory_facets_idx",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = matching.name_key(self.name)
        self.website_domain = matching.website_domain(self.website)
        self.search_text = matching.fold(f"{self.name} {self.acronym}")[:240]
        self.sort_name = matching.fold(self.name)[:200]
        self.region = region_for(self.country.code if self.country else "")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "name_key",
                "website_domain",
                "search_text",
                "sort_name",
                "region",
                "updated_at",
            }
        super().save(*args, **kwargs)
        directory_cache.changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        directory_cache.changed()
        return result

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # django-fsm's protected field refuses every assignment once set, a reload's
        # too: let the reload set it afresh (a transition still cannot be bypassed).
        if fields is None or "membership_status" in fields:
            self.__dict__.pop("membership_status", None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    def description_in(self, language: str) -> str:
        """The description in ``language``, else the onboarding one, else any."""
        descriptions = self.descriptions or {}
        return (
            descriptions.get(language)
            or self.description
            or next((text for text in descriptions.values() if text), "")
        )

    def priority_area_labels(self) -> list[str]:
        labels = dict(PriorityArea.choices)
        return [labels[key] for key in self.priority_areas or () if key in labels]

    # Transitions only change the state; the services lock, check, audit and announce.

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=membership_status,
        source=MembershipStatus.ACTIVE,
        target=MembershipStatus.SUSPENDED,
    )
    def suspend(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=membership_status,
        source=MembershipStatus.SUSPENDED,
        target=MembershipStatus.ACTIVE,
    )
    def restore(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=membership_status,
        source=MembershipStatus.ACTIVE,
        target=MembershipStatus.ENDED,
    )
    def end(self, by=None, description=None):
        pass


class MemberContact(models.Model):
    """A person of a member organisation whom the Alliance writes to.

    Exactly one contact of each member is its focal point (the constraint
    allows at most one; the services never leave a member without one). An
    e-mail change of the focal point waits in ``pending_email`` until it is
    confirmed from the new address.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=ContactRole)
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=2, choices=Language)
    pending_email = models.EmailField(_("new e-mail address, to be confirmed"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "role", "pk"]
        verbose_name = _("member contact")
        verbose_name_plural = _("member contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(role="focal_point"),
                name="one_focal_point_per_member",
            )
        ]

    def __str__(self):
        return f"{self.name or self.email} ({self.get_role_display()})"


class MemberChangeAction(models.TextChoices):
    PROFILE = "profile", _("Directory profile changed")
    CONTACT_ADDED = "contact_added", _("Contact added")
    CONTACT_CHANGED = "contact_changed", _("Contact changed")
    CONTACT_REMOVED = "contact_removed", _("Contact removed")
    CONTACT_EMAIL_CONFIRMED = "contact_email_confirmed", _("New address confirmed")
    SUSPEND = "suspend", _("Membership suspended")
    RESTORE = "restore", _("Membership restored")
    END = "end", _("Membership ended")
    RECONFIRMED = "reconfirmed", _("Details and commitment confirmed")
    RECONFIRMATION_FOLLOWED_UP = (
        "reconfirmation_followed_up",
        _("Unanswered yearly confirmation followed up"),
    )


class MemberChange(models.Model):
    """One audited change of a member: who (a staff user or a contact's address),
    when, what (``changes``: field -> [before, after]) and why (``note``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="changes")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    by_contact = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=MemberChangeAction)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.organisation} {self.action} {self.created_at:%Y-%m-%d}"

    @property
    def actor(self) -> str:
        if self.by_user_id:
            return self.by_user.get_full_name() or self.by_user.get_username()
        return self.by_contact or "—"
