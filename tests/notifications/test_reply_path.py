"""Emails that can be answered and say what happened (issue 13 items 3 and 7): the
Secretariat's address is the Reply-To of every email to people outside the staff and is
named in their footer and in the texts that say "write to us"; every link has a sentence
before it; the approval's subject says approved."""

import re

import pytest
from django.utils import translation

from applications.letters import services
from notifications.models import OutboxMessage
from notifications.services import email_pairs, letter_context, render_email
from notifications.texts import LINKS, email_spec
from tests.factories import LetterDataFactory

pytestmark = pytest.mark.django_db

SECRETARIAT = "secretariado@cuidados.example.org"


def test_reply_to_is_the_secretariat_for_applicants_and_absent_for_staff(
    aws, deliver, reviewer, settings
):
    settings.SECRETARIAT_EMAIL = SECRETARIAT
    with deliver():
        services.letter_submit(data=LetterDataFactory(contact_email="ana@sur.example.org"))
    sent = {message["To"]: message for message in aws.sent()}
    assert sent["ana@sur.example.org"]["Reply-To"] == SECRETARIAT
    assert sent[reviewer.email]["Reply-To"] is None
    rows = {row.audience: row.reply_to for row in OutboxMessage.objects.all()}
    assert rows == {"applicant": SECRETARIAT, "Secretariat": ""}


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("es", "escriba a la Secretaría Técnica a " + SECRETARIAT),
        ("en", "write to the Technical Secretariat at " + SECRETARIAT),
        ("fr", "écrivez au Secrétariat technique à " + SECRETARIAT),
    ],
)
def test_footer_and_rejection_name_the_address(language, sentence, settings, make_letter):
    settings.SECRETARIAT_EMAIL = SECRETARIAT
    letter = make_letter("reviewed")
    letter.decision_reason = "No cumple."
    for event in ("letter_submitted", "letter_rejected", "letter_changes_requested"):
        email = render_email(
            event=event, audience="applicant", language=language, context=letter_context(letter)
        )
        assert sentence in " ".join(email["body_text"].split()), (event, language)
        assert SECRETARIAT in email["body_html"]
    staff = render_email(
        event="letter_submitted",
        audience="Secretariat",
        language=language,
        context=letter_context(letter),
    )
    assert SECRETARIAT not in staff["body_text"]


@pytest.mark.parametrize(
    ("language", "word"), [("es", "aprobada"), ("en", "approved"), ("fr", "approuvée")]
)
def test_the_approval_subject_says_approved_and_only_the_onboarding_says_welcome(
    language, word, make_letter
):
    letter = make_letter("reviewed")
    context = letter_context(letter)
    approved = render_email(
        event="letter_approved", audience="applicant", language=language, context=context
    )
    assert word in approved["subject"]
    welcome = render_email(
        event="letter_onboarded", audience="new_member", language=language, context=context
    )
    with translation.override(language):
        assert (
            translation.gettext("Welcome to the Global Alliance for Care")
            not in (approved["subject"])
        )
    assert approved["subject"] != welcome["subject"]
    # The welcome asks for nothing the onboarding checklist already collected.
    assert "reply to this email to say which" not in welcome["body_text"]


LINK_LINE = re.compile(r"^\{(\w+_link)\}$")


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_every_link_has_a_sentence_before_it(language):
    for event, audience in email_pairs():
        _subject, body = email_spec(event, audience).default(language)
        lines = body.splitlines()
        for number, line in enumerate(lines):
            if LINK_LINE.match(line.strip()):
                before = lines[number - 1].strip() if number else ""
                assert before, (event, audience, language, line)
    assert "status_link" in LINKS  # the links checked are the placeholders' own names


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_the_footer_names_the_secretariat_to_exactly_the_public_audiences(language, settings):
    """The footer reads its audiences from PUBLIC_AUDIENCES (the Reply-To's list too):
    every email to a public audience says where to write, no staff email does."""
    from django.utils import translation

    from notifications.services import PUBLIC_AUDIENCES, email_pairs, render_email

    settings.SECRETARIAT_EMAIL = "ts@alliance.example.org"
    with translation.override(language):
        sentence = translation.gettext(
            "Questions? Reply to this email or write to the Technical Secretariat at %(email)s."
        ) % {"email": "ts@alliance.example.org"}
    public = 0
    for event, audience in email_pairs():
        email = render_email(
            event=event, audience=audience, language=language, context={}, text=None
        )
        says = sentence in " ".join(email["body_text"].split())
        assert says == (audience.lower() in PUBLIC_AUDIENCES), (event, audience)
        public += says
    assert public > 20
