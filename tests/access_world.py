"""The objects and people of the access matrix (tests/test_access_matrix.py),
built once per module through the real services and flows.

Kept apart from the test so that the matrix reads as a table.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core import signing

from applications import links, uploads
from applications.choices import AttachmentKind
from applications.drafts import services as draft_services
from applications.letters import services
from applications.letters.services import NewFile
from applications.models import Letter, Nomination
from review.selectors import letter_open_task, nomination_open_task
from review.task_actions import task_assign

from . import factories
from .conftest import _staff
from .files import pdf_bytes, upload


@dataclass
class World:
    """Everything a URL of the matrix can point at, and who holds which link."""

    reviewer: User
    approver: User
    admin: User
    unverified: User
    letters: dict[str, Letter]
    nominations: dict[str, Nomination]
    call: object
    nominator: object
    listed_member: object
    # role -> {link kind -> token}; see WALLETS in the test.
    wallets: dict[str, dict[str, str]] = field(default_factory=dict)
    # The Secretariat's own area: a text's first version, a setting's, a question.
    text_version: object = None
    setting_version: object = None
    question: object = None


def _letter_with_file(name: str, **data) -> Letter:
    checked = uploads.check_upload(upload(f"{name}.pdf", pdf_bytes(f"Letter {name}")))
    return services.letter_submit(
        data=factories.LetterDataFactory(organisation_name=f"Organisation {name}", **data),
        files=[NewFile(AttachmentKind.SIGNED_LETTER, checked)],
    )


def _screen(letter, reviewer, *, changes=False):
    from applications.choices import Recommendation

    if changes:
        action = lambda: services.letter_request_changes(  # noqa: E731
            letter=letter, by=reviewer, message="Añadan su plan de trabajo."
        )
    else:
        action = lambda: services.letter_screen(  # noqa: E731
            letter=letter, by=reviewer, recommendation=Recommendation.APPROVE
        )
    return factories.complete(letter, "screen", reviewer, action)


def _decide(letter, approver):
    return factories.complete(
        letter,
        "decide",
        approver,
        lambda: services.letter_decide(letter=letter, by=approver, approve=True, reason="Sí."),
    )


def forged_token() -> str:
    """A token of the right shape signed with another key: what a guesser can make."""
    return signing.dumps({"letter": "00000000-0000-0000-0000-000000000000"}, key="not-our-key")


def build_world() -> World:
    _ensure_staff_groups()
    reviewer = _staff("reviewer", "Secretariat", "Sofía")
    approver = _staff("approver", "Committee", "Amadou")
    admin = User.objects.create_superuser("admin", "admin@alliance.test", "pw-admin")
    # A Secretariat reviewer who has not set up a second factor yet.
    unverified = _staff("newcomer", "Secretariat", "Lucía")
    _second_factors(reviewer, approver, admin)

    # Letters, one per place in the flow the matrix needs a task of.
    letter_a = _screen(_letter_with_file("A"), reviewer, changes=True)  # changes_requested
    letter_b = _letter_with_file("B")  # submitted; its screening task taken by the reviewer
    task_assign(task=letter_open_task(letter=letter_b, node_name="screen"), user=reviewer)
    letter_r = _screen(_letter_with_file("R"), reviewer)  # reviewed: decision open, free
    letter_m = _decide(_screen(_letter_with_file("M"), reviewer), approver)  # approved
    letter_o = _decide(_screen(_letter_with_file("O"), reviewer), approver)
    letter_o = services.member_onboarding_complete(
        letter=letter_o,
        data={
            "name": "Organisation O",
            "description": "Listed member with a logo.",
            "website": "https://o.example.org",
            "logo": uploads.check_logo(upload("logo.png", _png(), "image/png")),
            "public_listing": True,
            "brand_manual_acknowledged": True,
            "contacts": ["o@o.example.org"],
            "communities": [],
        },
    )

    call = factories.call()
    nominator = factories.member(name="Organisation N", contact_email="contact@n.example.org")
    nominations = {
        state: factories.nomination_in_state(
            state, call=call, reviewer=reviewer, approver=approver, nominator=nominator
        )
        for state in ("awaiting_consent", "submitted", "reviewed", "approved", "onboarded")
    }
    task_assign(
        task=nomination_open_task(nomination=nominations["submitted"], node_name="screen"),
        user=reviewer,
    )

    _admin_rows(reviewer)
    text_version, setting_version, question = _secretariat_rows(admin, call)

    world = World(
        reviewer=reviewer,
        approver=approver,
        admin=admin,
        unverified=unverified,
        letters={"A": letter_a, "B": letter_b, "R": letter_r, "M": letter_m, "O": letter_o},
        nominations=nominations,
        call=call,
        nominator=nominator,
        listed_member=letter_o.organisation,
        text_version=text_version,
        setting_version=setting_version,
        question=question,
    )
    # A letter applicant A saved to finish later (issue 13).
    draft = draft_services.draft_save(
        draft=None,
        data={"organisation_name": ["Borrador de A"]},
        contact_email="a-draft@example.org",
        language="es",
    )
    # A nomination member N saved to finish later (issue 13).
    nomination_draft = draft_services.draft_save(
        draft=None,
        data={"nominee_name": ["Borrador de N"]},
        contact_email="contact@n.example.org",
        language="es",
        call=call,
        nominated_by=nominator,
    )
    # Member N's focal point, with a new address waiting for its confirmation.
    focal = nominator.contacts.get(role="focal_point")
    focal.pending_email = "new@n.example.org"
    focal.save()
    world.member_focal = focal
    world.wallets = {
        "anonymous": {},
        "applicant_a": {"status": links.status_token(letter_a), "draft": links.draft_token(draft)},
        "applicant_b": {"status": links.status_token(letter_b)},
        "member_contact": {
            "nominate": links.nominate_token(call, nominator),
            "nomination_status": links.nomination_status_token(nominations["submitted"]),
            "onboarding": links.onboarding_token(letter_m),
            "member": links.member_token(focal),
            "member_email": links.member_email_token(focal),
            "nomination_draft": links.draft_token(nomination_draft),
        },
        "nominee": {"consent": links.consent_token(nominations["awaiting_consent"])},
        "staff_no_2fa": {},
        "secretariat": {},
        "committee": {},
        "admin": {},
    }
    return world


def _admin_rows(reviewer):
    """A row for each admin model the services above leave empty, so that every
    admin object page of the matrix opens a real object."""
    from axes.models import AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.test import Client

    from notifications.outbox import enqueue_send
    from review.models import GroupLead

    # A failed log-in, through the real form: django-axes records the attempt.
    Client().post("/accounts/login/", {"username": "reviewer", "password": "wrong"})
    # Neither successes nor the failure log are recorded in our settings: one row each.
    AccessLog.objects.create(username="reviewer", ip_address="127.0.0.1", path_info="/")
    AccessFailureLog.objects.create(username="reviewer", ip_address="127.0.0.1", path_info="/")
    GroupLead.objects.create(group=Group.objects.get(name="Secretariat"), user=reviewer)
    enqueue_send()  # a django-tasks result row
    onboarding_document()
    reply_on_letter("A")


def reply_on_letter(name):
    """A reply to letter ``name``'s email, with a PDF, as the inbound webhook records it."""
    from applications.replies import ReceivedFile, reply_receive

    letter = Letter.objects.get(organisation_name=f"Organisation {name}")
    return reply_receive(
        sender=letter.contact_email,
        recipients=[links.reply_address(letter)],
        subject="Re: changes",
        text="Here it is.",
        files=[ReceivedFile("signed.pdf", pdf_bytes("Signed"))],
    )


def onboarding_document(language="es", title="Manual de marca"):
    """A brand manual as the Secretariat uploads it in the admin (issue 13)."""
    from applications.models import OnboardingDocument

    checked = uploads.check_upload(upload("manual.pdf", pdf_bytes("Manual de marca")))
    return OnboardingDocument.objects.create(
        kind="brand_manual",
        title=title,
        language=language,
        key=uploads.store(checked),
        original_name=checked.safe_name,
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
    )


def _second_factors(*users):
    """An authenticator for each staff role that has passed the second factor, and
    recovery codes for the superuser (the admin pages of both kinds of device)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for user in users:
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=users[-1], name="recovery")
    StaticToken.objects.create(device=recovery, token="0123456789")


def _secretariat_rows(admin, call):
    """Two versions of an email's wording and of a setting (the first can be restored),
    and an extra question of the call's nomination form."""
    from applications.configuration import services as configuration
    from applications.questions import services as questions
    from applications.texts import services as texts
    from notifications.texts import email_spec

    spec = email_spec("letter_submitted", "applicant")
    subject, body = spec.default("es")
    first = texts.text_save(spec=spec, language="es", subject="Recibida", body=body, by=admin)
    texts.text_save(spec=spec, language="es", subject=subject, body=body, by=admin)
    setting = configuration.setting_save(
        key="deadlines", value={"screen": 9, "decide": 14, "onboard": 14}, by=admin
    )
    configuration.setting_save(
        key="deadlines", value={"screen": 10, "decide": 14, "onboard": 14}, by=admin
    )
    question = questions.question_save(
        data={
            "target": "nomination",
            "call": call,
            "kind": "short_text",
            "label_es": "¿Idiomas?",
            "label_en": "Languages?",
            "label_fr": "Langues ?",
            "position": 1,
        },
        by=admin,
    )
    return first, setting, question


def _ensure_staff_groups():
    """The groups of the review/0002 and 0005 data migrations (a transactional test
    elsewhere in the session may have flushed them)."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    for module in (
        "0002_staff_groups",
        "0005_nomination_permissions",
        "0007_secretariat_lead_group",
    ):
        migration = importlib.import_module(f"review.migrations.{module}")
        for name, perms in migration.GROUP_PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=name)
            for perm in perms:
                app_label, codename = perm.split(".")
                group.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 20), (91, 42, 134)).save(out, format="PNG")
    return out.getvalue()
