"""Stable keys for the choices of the domain (see shared/docs/DOMAIN.md)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Constituency(models.TextChoices):
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    SUBNATIONAL_GOVERNMENT = "subnational_government", _("Subnational / local government")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    PHILANTHROPY = "philanthropy", _("Philanthropic organisation")
    CIVIL_SOCIETY = "civil_society", _("Civil society organisation")
    GRASSROOTS_WOMEN = "grassroots_women", _("Grassroots women's organisation")
    CAREGIVERS = "caregivers", _("Caregivers' organisation")
    TRADE_UNION = "trade_union", _("Trade union")
    YOUTH = "youth", _("Youth organisation")
    ACADEMIA = "academia", _("Academia / research")


class PriorityArea(models.TextChoices):
    EXPERIENCE_EXCHANGE = (
        "experience_exchange",
        _("Exchange of experiences and communities of practice"),
    )
    KNOWLEDGE_DATA = "knowledge_data", _("Knowledge and data generation")
    OUTREACH_SUSTAINABILITY = (
        "outreach_sustainability",
        _("Outreach, promotion and sustainability of the Alliance"),
    )
    ADVOCACY_MULTILATERALISM = (
        "advocacy_multilateralism",
        _("Advocacy, multilateralism and international cooperation"),
    )
    COMMUNICATION = "communication", _("Communication")


class Language(models.TextChoices):
    ES = "es", "Español"
    EN = "en", "English"
    FR = "fr", "Français"


def reading_language() -> str:
    """The language the visitor is reading the page in, as a ``Language`` value
    (Spanish, the Alliance's first language, when it is none of the three)."""
    language = (get_language() or "")[:2]
    return language if language in Language.values else Language.ES


class LetterStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Screened")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    ONBOARDED = "onboarded", _("Member")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Recommend approval")
    REJECT = "reject", _("Recommend rejection")


class AttachmentKind(models.TextChoices):
    SIGNED_LETTER = "signed_letter", _("Signed letter")
    OTHER = "other", _("Other document")
    QUESTION = "question", _("Answer to a question")


class CommunityOfPractice(models.TextChoices):
    CARE_AS_RIGHT = "care_as_right", _("Care as a right")
    CARE_SYSTEMS = "care_systems", _("National care systems and policies")
    SUBNATIONAL = "subnational", _("Care policies at subnational level")
    DATA = "data", _("Care data and statistics")


class NominationStatus(models.TextChoices):
    AWAITING_CONSENT = "awaiting_consent", _("Waiting for the nominee's consent")
    DECLINED = "declined", _("Declined by the nominee")
    LAPSED = "lapsed", _("Lapsed (no consent by the closing date)")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Screened")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    ONBOARDED = "onboarded", _("Committee member")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NominationAttachmentKind(models.TextChoices):
    CV = "cv", _("Nominee's CV")
    ENDORSEMENT = "endorsement", _("Endorsement letter")
    QUESTION = "question", _("Answer to a question")
