"""Emails of calls and nominations: every event × audience renders in es/en/fr,
escaped, and every transition sends what the matrix declares."""

import pytest
from django.utils import translation

from applications.models import TextVersion
from applications.nominations import services as nominations
from notifications.models import OutboxMessage
from notifications.services import EVENTS, call_context, nomination_context, render_email
from notifications.texts import email_spec
from tests import factories

pytestmark = pytest.mark.django_db

NOMINATION_EVENTS = [
    (event, audience)
    for event, audiences in EVENTS.items()
    for audience in audiences
    if event.startswith(("call_", "nomination_"))
]


@pytest.mark.parametrize("wording", ["default", "secretariat"])
@pytest.mark.parametrize(("event", "audience"), NOMINATION_EVENTS)
def test_every_nomination_email_renders_in_every_language(
    event, audience, wording, make_nomination, open_call
):
    """From the template files, or from a Secretariat's wording in each language
    (its starting text with a line added): the same guarantees either way."""
    name = "Cuidados & Derechos"
    if event.startswith("call_"):
        member = factories.member(name=name)
        context = {**call_context(open_call), "member": member, "nominate_url": "https://x/n/"}
    elif event.startswith("nomination_draft_"):  # a nomination saved to finish later
        from applications.drafts.services import draft_save
        from notifications.services import draft_context

        member = factories.member()
        draft = draft_save(
            draft=None,
            data={"nominee_name": [name]},
            contact_email=member.contact_email,
            language="es",
            call=open_call,
            nominated_by=member,
            contact_name=name,
        )
        context = draft_context(draft)
    else:
        nomination = make_nomination("awaiting_consent", nominee_name=name)
        context = nomination_context(nomination)
    spec = email_spec(event, audience)
    placeholder = "{member}" if event.startswith("call_") else "{nominee}"
    for language in ("es", "en", "fr"):
        version = None
        if wording == "secretariat":
            subject, body = spec.default(language)
            version = TextVersion.objects.create(
                key=spec.key,
                language=language,
                number=1,
                subject=subject,
                body=f"{body}\n\nP.S. {placeholder} <3",
            )
        email = render_email(event=event, audience=audience, language=language, context=context)
        assert email["text_version"] == version
        if version:
            assert f"P.S. {name} <3" in email["body_text"], language
            assert "P.S. Cuidados &amp; Derechos &lt;3" in email["body_html"], language
        assert "{" not in email["subject"] + email["body_text"], language
        assert email["subject"].strip(), language
        assert name in email["body_text"], language
        assert "&amp;" not in email["body_text"], language
        assert f'lang="{language}"' in email["body_html"]
        assert "Cuidados &amp; Derechos" in email["body_html"], language
        assert "{{" not in email["body_text"] and "{%" not in email["body_text"], language


def test_the_closing_time_is_written_in_the_recipients_language(open_call):
    from zoneinfo import ZoneInfo

    from django.utils import timezone
    from django.utils.formats import date_format

    member = factories.member(language="fr")
    context = {**call_context(open_call), "member": member, "nominate_url": "https://x/n/"}
    local = timezone.localtime(open_call.closes_at, ZoneInfo("America/Mexico_City"))
    for language in ("es", "en", "fr"):
        email = render_email(
            event="call_opened", audience="members", language=language, context=context
        )
        with translation.override(language):
            written = date_format(local, "DATETIME_FORMAT")
        assert f"{written} (America/Mexico_City)" in email["body_text"], language
    with translation.override("fr"):
        french = date_format(local, "DATETIME_FORMAT")
    with translation.override("en"):
        assert date_format(local, "DATETIME_FORMAT") != french


def _rows(since):
    return sorted(
        (m.event, m.audience, m.recipient, m.language)
        for m in OutboxMessage.objects.filter(pk__gt=since)
    )


def _last():
    row = OutboxMessage.objects.order_by("-pk").first()
    return row.pk if row else 0


@pytest.mark.parametrize("language", ["es", "fr"])
def test_every_nomination_transition_sends_what_the_matrix_declares(
    language, open_call, reviewer, reviewer2, approver, approver2, settings
):
    from review.selectors import nomination_open_task
    from review.task_actions import task_complete

    settings.STAFF_LANGUAGE = "en"
    staff = {"Secretariat": [reviewer, reviewer2], "Committee": [approver, approver2]}
    nominator = factories.member(language=language)

    def expected(event, nomination):
        rows = []
        for audience in EVENTS[event]:
            if audience == "nominator":
                rows.append((event, audience, nominator.contact_email, language))
            elif audience == "nominee":
                rows.append((event, audience, nomination.nominee_email, "en"))
            else:
                rows += [(event, audience, user.email, "en") for user in staff[audience]]
        return sorted(rows)

    def step(event, action):
        before = _last()
        result = action()
        assert _rows(before) == expected(event, result), event
        return result

    def submit():
        return nominations.nomination_submit(
            call=open_call,
            nominated_by=nominator,
            data=factories.nomination_data(factories.member(), nominee_language="en"),
            files=factories.nomination_files(),
        )

    def complete(nomination, node, user, action):
        task = nomination_open_task(nomination=nomination, node_name=node)
        return task_complete(task=task, user=user, action=action)

    nomination = step("nomination_submitted", submit)
    nomination = step(
        "nomination_accepted",
        lambda: nominations.nomination_consent(nomination=nomination, accept=True),
    )
    nomination = step(
        "nomination_reviewed",
        lambda: complete(
            nomination,
            "screen",
            reviewer,
            lambda: nominations.nomination_screen(
                nomination=nomination, by=reviewer, recommendation="approve"
            ),
        ),
    )
    nomination = step(
        "nomination_approved",
        lambda: complete(
            nomination,
            "decide",
            approver,
            lambda: nominations.nomination_decide(nomination=nomination, by=approver, approve=True),
        ),
    )
    step(
        "nomination_onboarded",
        lambda: complete(
            nomination,
            "onboard",
            reviewer2,
            lambda: nominations.nomination_onboard(nomination=nomination, by=reviewer2),
        ),
    )
    declined = submit()
    step(
        "nomination_declined",
        lambda: nominations.nomination_consent(nomination=declined, accept=False),
    )
    withdrawn = submit()
    step("nomination_withdrawn", lambda: nominations.nomination_withdraw(nomination=withdrawn))
    rejected = submit()
    rejected = nominations.nomination_consent(nomination=rejected, accept=True)
    rejected = complete(
        rejected,
        "screen",
        reviewer,
        lambda: nominations.nomination_screen(
            nomination=rejected, by=reviewer, recommendation="reject", note="No."
        ),
    )
    step(
        "nomination_rejected",
        lambda: complete(
            rejected,
            "decide",
            approver2,
            lambda: nominations.nomination_decide(
                nomination=rejected, by=approver2, approve=False, reason="Sin trayectoria."
            ),
        ),
    )
    # The nominator reads its emails in its own language.
    with translation.override(language):
        subject = translation.gettext("Nomination withdrawn: %(nominee)s") % {
            "nominee": withdrawn.nominee_name
        }
    mail = OutboxMessage.objects.get(event="nomination_withdrawn", audience="nominator")
    assert mail.subject == " ".join(subject.split())  # subjects are one line, spaces collapsed
