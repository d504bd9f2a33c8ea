"""The notification matrix: every letter transition sends the declared emails to the
right people, once each, in the right language."""

import pytest
from django.urls import reverse
from django.utils import translation

from applications.choices import Recommendation
from applications.letters import services
from notifications.models import OutboxMessage
from notifications.services import EVENTS
from tests.factories import LetterDataFactory, complete

pytestmark = pytest.mark.django_db


def new_rows(before):
    return sorted(
        (m.event, m.audience, m.recipient, m.language)
        for m in OutboxMessage.objects.filter(pk__gt=before).order_by("pk")
    )


def last_pk():
    row = OutboxMessage.objects.order_by("-pk").first()
    return row.pk if row else 0


def expected(event, letter, staff):
    rows = []
    for audience in EVENTS[event]:
        if audience in ("applicant", "new_member"):
            rows.append((event, audience, letter.contact_email, letter.language))
        else:
            rows += [(event, audience, user.email, "en") for user in staff[audience]]
    return sorted(rows)


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_every_transition_sends_what_the_matrix_declares(
    language, reviewer, reviewer2, approver, approver2, settings
):
    settings.STAFF_LANGUAGE = "en"
    staff = {"Secretariat": [reviewer, reviewer2], "Committee": [approver, approver2]}

    def step(event, action):
        before = last_pk()
        result = action()
        assert new_rows(before) == expected(event, letter, staff), event
        return result

    letter = None
    before = last_pk()
    letter = services.letter_submit(data=LetterDataFactory(language=language))
    assert new_rows(before) == expected("letter_submitted", letter, staff)

    step(
        "letter_changes_requested",
        lambda: complete(
            letter,
            "screen",
            reviewer,
            lambda: services.letter_request_changes(letter=letter, by=reviewer, message="Más."),
        ),
    )
    data = {field: getattr(letter, field) for field in services.LETTER_CONTENT_FIELDS}
    step("letter_resubmitted", lambda: services.letter_resubmit(letter=letter, data=data))
    step(
        "letter_reviewed",
        lambda: complete(
            letter,
            "screen",
            reviewer,
            lambda: services.letter_screen(
                letter=letter, by=reviewer, recommendation=Recommendation.APPROVE
            ),
        ),
    )
    step(
        "letter_approved",
        lambda: complete(
            letter,
            "decide",
            approver,
            lambda: services.letter_decide(letter=letter, by=approver, approve=True),
        ),
    )
    step(
        "letter_onboarded",
        lambda: complete(
            letter,
            "onboard",
            reviewer,
            lambda: services.letter_onboard(letter=letter, by=reviewer),
        ),
    )

    # The other endings: a rejection and a withdrawal.
    letter = services.letter_submit(data=LetterDataFactory(language=language))
    complete(
        letter,
        "screen",
        reviewer,
        lambda: services.letter_screen(
            letter=letter, by=reviewer, recommendation=Recommendation.REJECT, message="No."
        ),
    )
    step(
        "letter_rejected",
        lambda: complete(
            letter,
            "decide",
            approver2,
            lambda: services.letter_decide(letter=letter, by=approver2, approve=False, reason="X"),
        ),
    )
    letter = services.letter_submit(data=LetterDataFactory(language=language))
    step("letter_withdrawn", lambda: services.letter_withdraw(letter=letter))

    # Each applicant email is written in the applicant's language.
    with translation.override(language):
        subject = translation.gettext("Your letter of interest has been withdrawn")
    assert OutboxMessage.objects.get(event="letter_withdrawn", audience="applicant").subject == (
        subject
    )


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_a_reply_notice_reaches_the_task_holder_in_their_own_language(
    language, reviewer, reviewer2, settings
):
    """The reply notice (issue 13): to whoever holds the letter's open task, in the
    language that person chose for staff pages and emails, whatever the applicant's."""
    from applications import links
    from applications.replies import reply_receive
    from notifications.services import staff_language_set
    from review.selectors import letter_open_task
    from review.task_actions import task_assign

    settings.STAFF_LANGUAGE = "en"
    settings.SECRETARIAT_EMAIL = "secretariat@alliance-for-care.org"
    other = {"es": "fr", "en": "es", "fr": "en"}[language]
    letter = services.letter_submit(data=LetterDataFactory(language=other))
    staff_language_set(user=reviewer2, language=language)
    task_assign(task=letter_open_task(letter=letter, node_name="screen"), user=reviewer2)
    before = last_pk()
    reply = reply_receive(
        sender="ana@sur.example.org",
        recipients=[links.reply_address(letter)],
        subject="Re: carta",
        text="Adjunto la carta.",
        files=[],
    )
    assert new_rows(before) == [("reply_received", "assignee", reviewer2.email, language)]
    notice = OutboxMessage.objects.get(pk__gt=before)
    with translation.override(language):
        expected_subject = translation.gettext("Reply received: %(about)s") % {
            "about": letter.organisation_name
        }
        link_sentence = translation.gettext("Read the reply and its attachments on the staff page:")
    assert notice.subject == expected_subject
    assert link_sentence in notice.body_text
    page = reverse("review:letter_detail", args=[letter.pk])
    assert f"{settings.SITE_URL}{page}#reply-{reply.pk}" in notice.body_text
