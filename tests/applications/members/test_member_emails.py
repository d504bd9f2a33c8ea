"""Every email about a member or one of its contacts renders in every language."""

import pytest

from notifications.services import EVENTS, contact_context, member_context, render_email
from tests import factories

pytestmark = pytest.mark.django_db

MEMBER_EMAILS = [
    (event, audience)
    for event, audiences in EVENTS.items()
    if event.startswith("member_")
    for audience in audiences
]


@pytest.mark.parametrize("language", ["es", "en", "fr"])
@pytest.mark.parametrize(("event", "audience"), MEMBER_EMAILS)
def test_every_member_email_renders_in_every_language(event, audience, language):
    member = factories.member(name="Cuidados & Co")
    contact = member.contacts.get()
    contact.name = "Ana"
    contact.pending_email = "nueva@example.org"
    context = {**member_context(member), **contact_context(contact), "member_note": "Motivo."}
    email = render_email(event=event, audience=audience, language=language, context=context)
    english = render_email(event=event, audience=audience, language="en", context=context)
    assert email["subject"].strip()
    assert "{" not in email["subject"] + email["body_text"]
    assert f'lang="{language}"' in email["body_html"]
    assert "Cuidados & Co" in email["body_text"] or "Ana" in email["body_text"]
    if language != "en":
        assert email["body_text"] != english["body_text"]  # translated, not English
    if event in ("member_link", "member_reconfirmation", "member_reconfirmation_reminder"):
        assert "/members/self/" in email["body_text"]
    if event == "member_email_confirm":
        assert "/members/email/" in email["body_text"]
