"""The models of the ``applications`` app, one import away.

Each sub-package owns its models (``letters/``, ``nominations/``, ``members/``);
this module only names them, so that the app label, the migrations, the table
names and the permission codenames stay those of one app. Code inside a
sub-package imports its own ``models`` module, not this one.
"""

from .antivirus import ScannedFile
from .configuration.models import SettingVersion
from .drafts.models import DraftFile, LetterDraft
from .letters.models import (
    LETTER_CONTENT_FIELDS,
    Attachment,
    Letter,
    LetterReply,
    LetterRevision,
    OnboardingChecklist,
    OnboardingDocument,
    ReplyAttachment,
)
from .members.models import (
    ContactRole,
    MemberChange,
    MemberContact,
    MembershipStatus,
    Organisation,
)
from .nominations.models import Call, CallPhase, CallSeat, Nomination, NominationAttachment
from .questions.models import Question
from .texts.models import TextVersion
from .uploads import OrphanFile

__all__ = [
    "LETTER_CONTENT_FIELDS",
    "Attachment",
    "Call",
    "CallPhase",
    "CallSeat",
    "DraftFile",
    "ContactRole",
    "Letter",
    "LetterDraft",
    "LetterReply",
    "LetterRevision",
    "MemberChange",
    "MemberContact",
    "MembershipStatus",
    "Nomination",
    "NominationAttachment",
    "OnboardingChecklist",
    "OnboardingDocument",
    "ReplyAttachment",
    "OrphanFile",
    "Organisation",
    "Question",
    "ScannedFile",
    "SettingVersion",
    "TextVersion",
]
