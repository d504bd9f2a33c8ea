"""Every email the Secretariat may reword, and the placeholders each one offers.

An email is a text ``email/<event>/<audience>`` (``applications.texts``) with a
subject and a body in each language. Its default is today's template files
under ``notifications/templates/notifications/<event>/<audience>/``; the
Secretariat starts from that default written with placeholders
(``EmailSpec.default``: the templates rendered with each placeholder standing
for the value it replaces). Its placeholders are a fixed list per email
(``PLACEHOLDERS``, chosen by the audience and the object of the email), each
read from the email's context at a fixed path of ours: a recipient's text is
never evaluated, only filled in by ``applications.texts.selectors.substitute``.

Mandatory placeholders: the links the person needs to act (the status,
onboarding, consent, nomination and task links), wherever the default has
them, the reason of a rejection, and the list of a digest.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.template.base import Variable, VariableDoesNotExist
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from applications.texts.selectors import Placeholder, TextSpec

from .audiences import PUBLIC_AUDIENCES

# name: (what it is replaced by, the context paths it is read from, first found).
PLACEHOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": (
        gettext_lazy("the contact person's name"),
        ("letter.contact_name", "draft.contact_name", "contact.name"),
    ),
    "organisation": (
        gettext_lazy("the organisation's name"),
        ("letter.organisation_name", "draft.organisation_name"),
    ),
    "resume_link": (
        gettext_lazy("the private link to continue the saved letter"),
        ("resume_url",),
    ),
    "expires": (gettext_lazy("the day the saved letter is deleted"), ("expires",)),
    "documents": (
        gettext_lazy("the documents for new members, one link per line"),
        ("documents_text",),
    ),
    "brand_manual_link": (
        gettext_lazy("the link to download the brand manual"),
        ("brand_manual_url",),
    ),
    "constituency": (
        gettext_lazy("the constituency"),
        ("letter.get_constituency_display", "nomination.get_constituency_display"),
    ),
    "country": (gettext_lazy("the country"), ("letter.country.name",)),
    "status_link": (gettext_lazy("the private link to the letter's status page"), ("status_url",)),
    "onboarding_link": (
        gettext_lazy("the private link to the onboarding checklist"),
        ("onboarding_url",),
    ),
    "message": (
        gettext_lazy("the Secretariat's message to the applicant"),
        ("letter.message_to_applicant",),
    ),
    "reason": (
        gettext_lazy("the reason given with the decision"),
        ("letter.decision_reason", "nomination.decision_reason"),
    ),
    "recommendation": (
        gettext_lazy("the Secretariat's recommendation"),
        ("letter.get_recommendation_display", "nomination.get_recommendation_display"),
    ),
    "screener": (gettext_lazy("who screened the letter"), ("letter.screened_by",)),
    "decider": (gettext_lazy("who decided"), ("letter.decided_by",)),
    "member": (
        gettext_lazy("the member organisation's name"),
        ("member.name", "nomination.nominated_by.name"),
    ),
    "member_link": (
        gettext_lazy("the contact's private link to the member page"),
        ("member_url",),
    ),
    "confirm_link": (
        gettext_lazy("the private link that confirms the new address"),
        ("confirm_url",),
    ),
    "member_reason": (
        gettext_lazy("the reason given with the change of membership"),
        ("member_note",),
    ),
    "staff_member_link": (
        gettext_lazy("the member's page in the staff area"),
        ("staff_member_url",),
    ),
    "nominee": (gettext_lazy("the nominee's name"), ("nomination.nominee_name", "nominee_name")),
    "nominee_organisation": (
        gettext_lazy("the nominee's member organisation"),
        ("nomination.nominee_organisation.name",),
    ),
    "call": (gettext_lazy("the call's title"), ("call.title",)),
    "closing": (gettext_lazy("when the call closes"), ("closing",)),
    "consent_link": (
        gettext_lazy("the nominee's private link to accept or decline"),
        ("consent_url",),
    ),
    "nomination_link": (
        gettext_lazy("the private link to the nomination's status page"),
        ("nomination_url",),
    ),
    "nominate_link": (
        gettext_lazy("the member's private link to nominate"),
        ("nominate_url",),
    ),
    "call_link": (gettext_lazy("the call's public page"), ("call_url",)),
    "calendar_link": (
        gettext_lazy("the committee's meeting calendar"),
        ("committee_calendar_url",),
    ),
    "directory_link": (gettext_lazy("the public member directory"), ("directory_url",)),
    "inbox_link": (
        gettext_lazy(
            "the link to the letter or nomination in the staff workspace "
            "(the task list in a digest)"
        ),
        ("inbox_url",),
    ),
    "letters_link": (gettext_lazy("the staff's list of letters"), ("letters_url",)),
    "site_link": (gettext_lazy("the site's address"), ("site_url",)),
    "secretariat_email": (
        gettext_lazy("the Technical Secretariat's e-mail address"),
        ("secretariat_email",),
    ),
    "task": (gettext_lazy("the task's name"), ("task_title",)),
    "due": (gettext_lazy("the task's due date"), ("due",)),
    "assignee": (gettext_lazy("who the task is assigned to"), ("assignee",)),
    "task_link": (gettext_lazy("the link to the task"), ("task_url",)),
    "count": (gettext_lazy("how many updates the digest lists"), ()),
    "items": (gettext_lazy("the digest's list of updates, one per line"), ()),
    "file_name": (gettext_lazy("the quarantined file's name"), ("file_name",)),
    "virus": (gettext_lazy("what the virus scan found"), ("file.signature",)),
    "belongs_to": (gettext_lazy("who sent the file"), ("belongs_to",)),
    "file_owner_link": (gettext_lazy("the staff page of what the file came with"), ("owner_url",)),
    "reply_sender": (gettext_lazy("who sent the reply"), ("reply.sender",)),
    "reply_subject": (gettext_lazy("the reply's subject"), ("reply.subject",)),
    "reply_about": (
        gettext_lazy("the organisation or nominee the reply is about"),
        ("about",),
    ),
    "reply_link": (
        gettext_lazy("the staff page of the letter or nomination, at the reply"),
        ("page_url",),
    ),
}

# Links without which the person cannot act: mandatory wherever the default has them.
LINKS = (
    "status_link",
    "onboarding_link",
    "consent_link",
    "nomination_link",
    "nominate_link",
    "resume_link",
    "member_link",
    "confirm_link",
)

APPLICANT_LETTER = (
    "name",
    "organisation",
    "status_link",
    "message",
    "reason",
    "site_link",
    "secretariat_email",
)
STAFF_LETTER = (
    "organisation",
    "constituency",
    "country",
    "recommendation",
    "screener",
    "decider",
    "reason",
    "message",
    "inbox_link",
    "site_link",
)
NOMINATION_COMMON = (
    "nominee",
    "nominee_organisation",
    "member",
    "call",
    "closing",
    "constituency",
    "recommendation",
    "reason",
    "call_link",
    "directory_link",
    "site_link",
    "secretariat_email",
)
CALL_MEMBERS = (
    "member",
    "call",
    "closing",
    "nominate_link",
    "call_link",
    "site_link",
    "secretariat_email",
)
MEMBER_EMAIL = (
    "name",
    "member",
    "member_link",
    "member_reason",
    "directory_link",
    "site_link",
    "secretariat_email",
)
MEMBER_STAFF = ("member", "member_reason", "staff_member_link", "site_link")
TASK = ("task", "organisation", "due", "assignee", "task_link")
DIGEST = ("count", "items", "inbox_link", "letters_link")
DRAFT = ("name", "organisation", "resume_link", "expires", "site_link", "secretariat_email")
NOMINATION_DRAFT = (
    "member",
    "call",
    "nominee",
    "resume_link",
    "expires",
    "call_link",
    "site_link",
    "secretariat_email",
)
REPLY = ("reply_sender", "reply_subject", "reply_about", "organisation", "reply_link", "site_link")
QUARANTINE = ("file_name", "virus", "belongs_to", "file_owner_link", "site_link")

# Staff emails sent with notify_users or by the digest, besides services.EVENTS.
STAFF_EMAILS = (("task_overdue", "staff"), ("task_escalated", "staff"), ("staff_digest", "staff"))

EVENT_TITLES = {
    "letter_submitted": gettext_lazy("Letter received"),
    "letter_resubmitted": gettext_lazy("Letter sent again"),
    "letter_changes_requested": gettext_lazy("Changes asked for"),
    "letter_reviewed": gettext_lazy("Letter passed to the committee"),
    "letter_approved": gettext_lazy("Letter approved"),
    "letter_rejected": gettext_lazy("Letter not approved"),
    "letter_onboarded": gettext_lazy("Welcome of a new member"),
    "letter_onboarding_reminder": gettext_lazy("Onboarding reminder"),
    "letter_withdrawn": gettext_lazy("Letter withdrawn by the applicant"),
    "letter_status_link": gettext_lazy("A fresh status link"),
    "letter_draft_saved": gettext_lazy("Letter saved to finish later"),
    "letter_draft_expiring": gettext_lazy("Saved letter about to be deleted"),
    "nomination_draft_saved": gettext_lazy("Nomination saved to finish later"),
    "nomination_draft_expiring": gettext_lazy("Saved nomination about to be deleted"),
    "call_opened": gettext_lazy("Call for nominations opened"),
    "call_nomination_link": gettext_lazy("Nomination link sent again"),
    "nomination_submitted": gettext_lazy("Nomination made"),
    "nomination_accepted": gettext_lazy("Nomination accepted by the nominee"),
    "nomination_declined": gettext_lazy("Nomination declined by the nominee"),
    "nomination_lapsed": gettext_lazy("Nomination lapsed without an answer"),
    "nomination_reviewed": gettext_lazy("Nomination passed to the committee"),
    "nomination_approved": gettext_lazy("Nomination approved"),
    "nomination_rejected": gettext_lazy("Nomination not approved"),
    "nomination_onboarded": gettext_lazy("Nominee welcomed onto the committee"),
    "nomination_withdrawn": gettext_lazy("Nomination withdrawn"),
    "member_link": gettext_lazy("A member contact's link to its member page"),
    "member_email_confirm": gettext_lazy("Confirmation of a contact's new address"),
    "member_suspended": gettext_lazy("Membership suspended"),
    "member_restored": gettext_lazy("Membership restored"),
    "member_ended": gettext_lazy("Membership ended"),
    "member_reconfirmation": gettext_lazy("Yearly confirmation asked"),
    "member_reconfirmation_reminder": gettext_lazy("Yearly confirmation reminder"),
    "member_reconfirmation_overdue": gettext_lazy("Yearly confirmation unanswered for 60 days"),
    "task_overdue": gettext_lazy("Overdue task reminder"),
    "task_escalated": gettext_lazy("Overdue task, to the group's lead"),
    "staff_digest": gettext_lazy("Daily digest for staff"),
    "file_quarantined": gettext_lazy("File quarantined by the virus scan"),
    "reply_received": gettext_lazy("Reply received on a letter or nomination"),
}
AUDIENCE_TITLES = {
    "applicant": gettext_lazy("to the applicant"),
    "new_member": gettext_lazy("to the new member"),
    "secretariat": gettext_lazy("to the Secretariat"),
    "committee": gettext_lazy("to the Committee"),
    "nominator": gettext_lazy("to the nominating member"),
    "nominee": gettext_lazy("to the nominee"),
    "members": gettext_lazy("to every member"),
    "member": gettext_lazy("to the member's contacts"),
    "contact": gettext_lazy("to the member contact"),
    "new_address": gettext_lazy("to the contact's new address"),
    "staff": gettext_lazy("to staff members"),
    "assignee": gettext_lazy("to whoever holds its open task"),
}
GROUPS = {
    "letter": gettext_lazy("Emails about letters"),
    "call": gettext_lazy("Emails about calls"),
    "nomination": gettext_lazy("Emails about nominations"),
    "member": gettext_lazy("Emails about members"),
    "task": gettext_lazy("Emails to staff"),
    "staff": gettext_lazy("Emails to staff"),
    "file": gettext_lazy("Emails to staff"),
    "reply": gettext_lazy("Emails to staff"),
}

# Values that the defaults test rather than show (e.g. {% if letter.consent_public_listing %}):
# in the starting text every optional sentence is there.
FLAGS = {"letter.consent_public_listing": True}


def placeholder_names(event: str, audience: str) -> tuple[str, ...]:
    """The placeholders email ``event`` to ``audience`` offers."""
    if event == "staff_digest":
        return DIGEST
    if event == "file_quarantined":
        return QUARANTINE
    if event == "reply_received":
        return REPLY
    if event.startswith("task_"):
        return TASK
    if event.startswith("call_"):
        return CALL_MEMBERS
    if event.startswith("letter_draft_"):
        return DRAFT
    if event.startswith("nomination_draft_"):
        return NOMINATION_DRAFT
    if event.startswith("member_"):
        if audience == "secretariat":
            return MEMBER_STAFF
        if audience == "new_address":
            return ("name", "member", "confirm_link", "site_link", "secretariat_email")
        return MEMBER_EMAIL
    if event.startswith("nomination_"):
        if audience == "nominee":
            return NOMINATION_COMMON + ("consent_link", "calendar_link")
        if audience == "nominator":
            return NOMINATION_COMMON + ("nomination_link",)
        return NOMINATION_COMMON + ("inbox_link",)
    if audience in ("applicant", "new_member"):
        names = APPLICANT_LETTER + ("directory_link",)
        if event in ("letter_approved", "letter_onboarding_reminder"):
            names += ("onboarding_link",)
        if event == "letter_approved":
            names += ("documents",)
        if event in ("letter_approved", "letter_onboarded", "letter_onboarding_reminder"):
            names += ("brand_manual_link",)
        return names
    return STAFF_LETTER


def key_of(event: str, audience: str) -> str:
    return f"email/{event}/{audience.lower()}"


def _folder(event: str, audience: str) -> str:
    return f"notifications/{event}/{audience.lower()}"


def render_files(event: str, audience: str, context: Mapping) -> tuple[str, str]:
    """The default subject and body (the template files), in the active language."""
    folder = _folder(event, audience)
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    body = render_to_string(f"{folder}/body.txt", context).strip() + "\n"
    return subject, body


class _Tokens:
    """An object of the email's context as the starting text sees it: each
    attribute a placeholder reads gives back that placeholder."""

    def __init__(self, tree: dict):
        self._tree = tree

    def __getattr__(self, name):
        try:
            node = self._tree[name]
        except KeyError:
            raise AttributeError(name) from None
        return _Tokens(node) if isinstance(node, dict) else node


def _token_context(names) -> dict:
    tree: dict = {}
    paths = [(path, "{" + name + "}") for name in names for path in PLACEHOLDERS[name][1]]
    for path, token in paths + list(FLAGS.items()):
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node.setdefault(leaf, token)
    return {key: _Tokens(node) if isinstance(node, dict) else node for key, node in tree.items()}


def _digest_default() -> tuple[str, str]:
    subject = ngettext(
        "Your daily digest: %(counter)s update on letters of interest",
        "Your daily digest: %(counter)s updates on letters of interest",
        2,
    ) % {"counter": "{count}"}
    footer = render_to_string("notifications/_footer.txt", {"audience": "staff"})
    body = "\n".join(
        [
            _("Here is what waits for you or your group since the last digest:"),
            "{items}",
            "",
            _("Your tasks:") + " {inbox_link}",
            _("All letters:") + " {letters_link}",
            "",
            _(
                "You chose one daily digest instead of each email; you can change this on "
                "the letters page, under Email preferences."
            ),
            "",
            footer.strip(),
        ]
    )
    return subject, body + "\n"


def _value(name: str, context: Mapping) -> str:
    if name == "items":
        return "\n".join(
            "- {} — {}".format(
                formats.date_format(timezone.localtime(item.created_at), "SHORT_DATETIME_FORMAT"),
                item.subject,
            )
            for item in context.get("items", ())
        )
    if name == "count":
        return str(len(context.get("items", ())))
    for path in PLACEHOLDERS[name][1]:
        try:
            value = Variable(path).resolve(context)
        except (VariableDoesNotExist, AttributeError, KeyError, TypeError):
            continue
        if value is None:
            return ""
        return str(formats.localize(value))
    return ""


def email_spec(event: str, audience: str) -> TextSpec:
    """The Secretariat's view of one email: key, placeholders, mandatory ones, default."""
    return _email_spec(event, audience.lower())


def _is_public(audience: str) -> bool:
    return audience.lower() in PUBLIC_AUDIENCES


@functools.cache
def _email_spec(event: str, audience: str) -> TextSpec:
    names = placeholder_names(event, audience)

    def default(language: str) -> tuple[str, str]:
        with translation.override(language):
            if event == "staff_digest":
                return _digest_default()
            context = {
                **_token_context(names),
                "audience": audience.lower(),
                "public_audience": _is_public(audience),
                "language": language,
            }
            return render_files(event, audience, context)

    english = "".join(default("en"))
    required = [name for name in LINKS if "{" + name + "}" in english]
    if event.endswith("_rejected") and "{reason}" in english:
        required.append("reason")
    if event == "staff_digest":
        required.append("items")
    if event.startswith("task_"):
        required.append("task_link")
    if event == "reply_received":
        required.append("reply_link")
    return TextSpec(
        key=key_of(event, audience),
        title=format_lazy("{} — {}", EVENT_TITLES[event], AUDIENCE_TITLES[audience]),
        group=GROUPS[event.split("_", 1)[0]],
        placeholders=tuple(Placeholder(name, PLACEHOLDERS[name][0]) for name in names),
        default=default,
        required=tuple(required),
        has_subject=True,
        values=lambda context: {name: _value(name, context) for name in names},
    )
