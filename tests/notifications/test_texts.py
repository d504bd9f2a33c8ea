"""The Secretariat's wording of the emails (issue 15, item 1): saved through the
Texts area, sent to the next recipient in that language only, restored, reset,
refused with the reason, and never evaluated as a template.

Runs on SQLite and on PostgreSQL (``DATABASE_URL``). Mail goes through anymail's
SES backend to the moto server of tests/conftest.py.
"""

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from applications.drafts import services as draft_services
from applications.models import TextVersion
from applications.texts import services as text_services
from notifications.models import OutboxMessage
from notifications.services import (
    call_context,
    draft_context,
    email_pairs,
    letter_context,
    nomination_context,
    render_email,
)
from notifications.texts import email_spec
from tests import factories
from tests.access_world import onboarding_document, services
from tests.conftest import subject_of
from tests.factories import form_data

pytestmark = pytest.mark.django_db

URL = reverse("review:text_email", args=["letter_submitted", "applicant"])
SPEC = email_spec("letter_submitted", "applicant")


def typed(spec=SPEC, **changes) -> dict:
    """The edit form as the browser posts it: the text in use in each language,
    with ``changes`` (e.g. ``subject_es``)."""
    data = {}
    for language in ("es", "en", "fr"):
        subject, body = spec.default(language)
        data[f"subject_{language}"] = subject
        data[f"body_{language}"] = body
    data.update(changes)
    return data


@pytest.fixture
def lead_client(lead):
    client = Client()
    client.force_login(lead)
    return client


def default_subject(language: str) -> str:
    with translation.override(language):
        return translation.gettext("We have received your letter of interest")


def apply(language: str, **data):
    """A letter sent through the public form, in ``language``."""
    response = Client().post(
        reverse("applications:letter_create"), form_data(language=language, **data)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return OutboxMessage.objects.filter(event="letter_submitted", audience="applicant").latest("pk")


def test_a_changed_spanish_subject_is_what_the_next_applicant_receives(
    lead, lead_client, reviewer, aws, deliver
):
    response = lead_client.post(
        URL, {**typed(subject_es="Carta recibida: {organisation}"), "save": "1"}
    )
    assert response.status_code == 302
    version = TextVersion.objects.get(key="email/letter_submitted/applicant")
    assert (version.language, version.number, version.created_by) == ("es", 1, lead)
    assert not TextVersion.objects.exclude(language="es").exists()  # en, fr: still the default

    with deliver():
        spanish = apply("es", organisation_name="Red Cuidar")
        english = apply("en")
        french = apply("fr")
    sent = {str(m["To"]): subject_of(m) for m in aws.sent()}
    assert sent[spanish.recipient] == "Carta recibida: Red Cuidar"
    assert sent[english.recipient] == default_subject("en")
    assert sent[french.recipient] == default_subject("fr")
    assert spanish.text_version == version
    assert english.text_version is None and french.text_version is None


def test_restoring_a_version_restores_the_sent_text(lead_client, reviewer, aws, deliver):
    lead_client.post(URL, {**typed(subject_es="Primera versión"), "save": "1"})
    lead_client.post(URL, {**typed(subject_es="Segunda versión"), "save": "1"})
    first = TextVersion.objects.get(key=SPEC.key, number=1)
    with deliver():
        assert apply("es").subject == "Segunda versión"

    response = lead_client.post(reverse("review:text_restore", args=[first.pk]))
    assert response.status_code == 302
    restored = TextVersion.objects.get(key=SPEC.key, number=3)
    assert restored.restored_from == first and restored.subject == "Primera versión"
    with deliver():
        message = apply("es")
    assert message.subject == "Primera versión" and message.text_version == restored
    sent = [subject_of(m) for m in aws.sent() if str(m["To"]) == message.recipient]
    assert sent == ["Primera versión"]

    # Back to the default: one click, and the files' wording goes out again.
    lead_client.post(URL, {"default": "es"})
    assert TextVersion.objects.get(key=SPEC.key, number=4).is_default
    message = apply("es")
    assert message.subject == default_subject("es") and message.text_version is None


def test_a_text_missing_in_one_language_falls_back_to_the_default_of_that_language(
    lead_client, reviewer
):
    lead_client.post(
        URL,
        {**typed(subject_es="Recibida", subject_en="Received, thank you"), "save": "1"},
    )
    assert apply("fr").subject == default_subject("fr")  # French: its own default
    assert apply("en").subject == "Received, thank you"
    listing = lead_client.get(reverse("review:text_list")).content.decode()
    assert "Reworded in some languages only" in listing
    assert "still the default text in Français" in listing


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("body_es", "Hola {organisation.__class__} {status_link}", "{organisation.__class__}"),
        ("body_es", "Hola {{ settings.SECRET_KEY }} {status_link}", "{{ settings.SECRET_KEY }}"),
        ("body_es", "{% load static %}{% static 'x' %} {status_link}", "{% load static %}"),
        ("body_es", "Hola {nombre} {status_link}", "{nombre}"),
        ("body_es", "Hola {organisation}, gracias.", "must contain {status_link}"),
        ("subject_es", "Recibida\nBcc: everyone@example.org", "one line"),
        ("subject_es", "Recibida\u2028otra línea", "one line"),
        ("subject_es", "{onboarding_link}", "{onboarding_link}"),  # not offered by this email
    ],
)
def test_a_text_that_would_not_work_is_refused_with_the_reason(lead_client, field, value, reason):
    data = typed(**{field: value})
    response = lead_client.post(URL, {**data, "save": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(reason) in html
    assert escape(value.split("\n")[0]) in html  # what was typed is kept
    assert not TextVersion.objects.exists()


def test_the_services_refuse_what_the_form_refuses(lead):
    with pytest.raises(text_services.TextRefused) as refused:
        text_services.text_save(
            spec=SPEC, language="es", subject="Hola", body="{{ settings.SECRET_KEY }}", by=lead
        )
    assert any("SECRET_KEY" in str(problem) for problem in refused.value.problems)
    assert any("{status_link}" in str(problem) for problem in refused.value.problems)


def test_only_a_lead_may_save(reviewer):
    from applications.exceptions import NotPermitted

    subject, body = SPEC.default("es")
    with pytest.raises(NotPermitted):
        text_services.text_save(spec=SPEC, language="es", subject=subject, body=body, by=reviewer)


def test_template_syntax_stored_anyhow_is_sent_as_plain_text_never_evaluated(make_letter):
    """Even a wording that bypassed the checks (written straight to the database)
    renders as the characters it holds: nothing of it is evaluated."""
    hostile = (
        "{{ settings.SECRET_KEY }} {% load static %}{% static 'site.css' %} "
        "{organisation.__class__} {organisation!r} {organisation:>30} {{organisation}} "
        "{% debug %} {status_link}"
    )
    TextVersion.objects.create(
        key=SPEC.key, language="es", number=1, subject="{{ 7|add:1 }} {organisation}", body=hostile
    )
    letter = make_letter("submitted", organisation_name="Red {status_link} <b>Cuidar</b>")
    message = OutboxMessage.objects.get(event="letter_submitted", audience="applicant")
    assert message.subject == "{{ 7|add:1 }} Red {status_link} <b>Cuidar</b>"
    for literal in (
        "{{ settings.SECRET_KEY }}",
        "{% load static %}{% static 'site.css' %}",
        "{organisation.__class__}",
        "{organisation!r}",
        "{organisation:>30}",
        "{% debug %}",
    ):
        assert literal in message.body_text
    assert settings.SECRET_KEY not in message.body_text + message.body_html
    assert "/static/site.css" not in message.body_text
    # {{organisation}} holds a real placeholder: substituted once, the value not re-read.
    assert "{Red {status_link} <b>Cuidar</b>}" in message.body_text
    assert message.body_text.rstrip().endswith(letter_context(letter)["status_url"])
    assert "<b>Cuidar</b>" not in message.body_html
    assert "&lt;b&gt;Cuidar&lt;/b&gt;" in message.body_html


def test_the_preview_is_byte_for_byte_what_is_sent(lead_client, make_letter, reviewer):
    letter = make_letter("submitted", language="fr", organisation_name="Soins & Co")
    spec = email_spec("letter_status_link", "applicant")
    url = reverse("review:text_email", args=["letter_status_link", "applicant"])
    subject, body = spec.default("fr")
    data = {
        **typed(spec),
        "subject_fr": "Votre lien, {organisation}",
        "body_fr": "Bonjour {name},\n\n" + body,
        "object": f"letter:{letter.pk}",
    }
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False):
        preview = lead_client.post(url, {**data, "preview": "1"})
        assert preview.status_code == 200
        shown = {c["language"]: c["preview"] for c in preview.context["columns"]}["fr"]
        assert not TextVersion.objects.exists()  # a preview saves nothing
        lead_client.post(url, {**data, "save": "1"})
        services.letter_status_links_send(email=letter.contact_email)
    sent = OutboxMessage.objects.get(event="letter_status_link")
    assert sent.subject == shown["subject"] == "Votre lien, Soins & Co"
    assert sent.body_text == shown["body_text"]
    assert sent.body_html == shown["body_html"]
    assert sent.text_version == TextVersion.objects.get(language="fr")
    # The page shows that HTML whole inside its iframe, not spilt into the page.
    assert sent.body_html in srcdocs(preview.content.decode())


def srcdocs(html: str) -> list[str]:
    found = []

    class Frames(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(value for name, value in attrs if tag == "iframe" and name == "srcdoc")

    Frames(convert_charrefs=True).feed(html)
    return found


def test_each_email_offers_a_fixed_list_of_placeholders():
    # The applicant's receipt: the applicant's own values and link, not the staff's.
    assert SPEC.names == {
        "name",
        "organisation",
        "status_link",
        "message",
        "reason",
        "site_link",
        "directory_link",
        "secretariat_email",  # named in the footer (issue 13)
    }
    assert SPEC.required == ("status_link",)
    assert "status_link" not in email_spec("letter_submitted", "Secretariat").names
    assert email_spec("letter_approved", "applicant").required == ("onboarding_link",)
    assert email_spec("nomination_submitted", "nominee").required == ("consent_link",)
    assert "consent_link" not in email_spec("nomination_submitted", "nominator").names
    assert email_spec("call_opened", "members").required == ("nominate_link",)
    assert "reason" in email_spec("letter_rejected", "applicant").required


@pytest.fixture
def full_letter(make_letter, approver):
    """A letter whose every optional value is set, as the starting texts assume."""
    letter = make_letter("reviewed", organisation_name="Cuidados & Derechos")
    letter.decided_by = approver
    letter.message_to_applicant = "Gracias por su paciencia."
    letter.decision_reason = "Cumple los criterios."
    letter.consent_public_listing = True
    onboarding_document()  # the approval lists the documents for new members
    return letter


def _member_email_context(member) -> dict:
    """What the emails about a member and about one of its contacts show, together."""
    from notifications.services import contact_context, member_context

    contact = member.contacts.get()
    contact.name = "Ana & Co"
    contact.pending_email = "nueva@miembro.example.org"
    return {**member_context(member), **contact_context(contact), "member_note": "Motivo."}


def _squeezed(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_the_starting_texts_are_todays_emails_written_with_placeholders(
    language, full_letter, settings
):
    """For every email: the default written with placeholders passes its own checks,
    and filled in it says what the template files say."""
    settings.COMMITTEE_CALENDAR_URL = "https://calendar.example.org/"
    open_call = factories.call()
    nomination = factories.nomination_in_state(
        "awaiting_consent", call=open_call, nominee_name="Ana & Co"
    )
    nomination.decision_reason = "Motivo."
    member = factories.member(name="Miembro & Co")
    contexts = {
        "letter": letter_context(full_letter),
        "nomination": nomination_context(nomination),
        "call": {**call_context(open_call), "member": member, "nominate_url": "https://x/n/"},
        "member": _member_email_context(member),
        "task": {
            **letter_context(full_letter),
            "task_title": "Screening",
            "due": timezone.localdate(),
            "assignee": "Sofía",
            "task_url": "https://x/t/",
        },
        "draft": draft_context(
            draft_services.draft_save(
                draft=None,
                data={"contact_name": ["Ana & Co"], "organisation_name": ["Red & Co"]},
                contact_email="ana@example.org",
                language=language,
            )
        ),
        "file": {
            "file": SimpleNamespace(signature="Eicar-Test.UNOFFICIAL"),
            "file_name": "plan.pdf",
            "belongs_to": "Red Sur",
            "owner_url": "https://x/letters/1/",
            "site_url": "https://x",
        },
        "nomination_draft": draft_context(
            draft_services.draft_save(
                draft=None,
                data={"nominee_name": ["Ana & Co"]},
                contact_email="contacto@example.org",
                language=language,
                call=open_call,
                nominated_by=member,
                contact_name="Ana & Co",
                organisation_name=member.name,
            )
        ),
        "reply": {
            **letter_context(full_letter),
            "reply": SimpleNamespace(sender="ana@sur.example.org", subject="Re: Carta & firma"),
            "about": full_letter.organisation_name,
            "page_url": "https://x/letters/1/#reply-1",
        },
        "digest": {
            "items": [SimpleNamespace(created_at=timezone.now(), subject="Una novedad")],
            "inbox_url": "https://x/i/",
            "letters_url": "https://x/l/",
        },
    }
    for event, audience in email_pairs():
        spec = email_spec(event, audience)
        subject, body = spec.default(language)
        assert spec.problems(subject=subject, body=body) == [], (event, audience)
        kind = "digest" if event == "staff_digest" else event.split("_")[0]
        if event.startswith("letter_draft_"):
            kind = "draft"
        if event.startswith("nomination_draft_"):
            kind = "nomination_draft"
        context = contexts[kind]
        files = render_email(
            event=event, audience=audience, language=language, context=context, text=None
        )
        filled = render_email(
            event=event,
            audience=audience,
            language=language,
            context=context,
            text=TextVersion(subject=subject, body=body),
        )
        if event == "staff_digest":  # the plural of one update differs: only the body
            assert _squeezed(filled["body_text"]).endswith(
                _squeezed(files["body_text"]).split("Una novedad", 1)[1]
            )
            continue
        assert _squeezed(filled["subject"]) == _squeezed(files["subject"]), (event, audience)
        assert _squeezed(filled["body_text"]) == _squeezed(files["body_text"]), (event, audience)


def test_every_staff_email_and_every_event_has_its_text():
    keys = {email_spec(event, audience).key for event, audience in email_pairs()}
    assert len(keys) == len(email_pairs())
    assert "email/task_overdue/staff" in keys and "email/staff_digest/staff" in keys
    assert {"email/letter_submitted/secretariat", "email/call_opened/members"} <= keys


def test_a_submitted_letter_records_the_text_of_each_email(lead, make_letter):
    subject, body = SPEC.default("es")
    version = text_services.text_save(
        spec=SPEC, language="es", subject="Recibida", body=body, by=lead
    )
    make_letter("submitted", language="es")
    rows = OutboxMessage.objects.filter(event="letter_submitted")
    assert {row.audience: row.text_version for row in rows} == {
        "applicant": version,
        "Secretariat": None,
    }


def test_the_preview_of_a_saved_letters_email_has_its_resume_link(lead_client):
    """The draft emails preview with a sample draft (issue 13): their link is there."""
    spec = email_spec("letter_draft_saved", "applicant")
    assert spec.required == ("resume_link",)
    url = reverse("review:text_email", args=["letter_draft_saved", "applicant"])
    subject, body = spec.default("es")
    preview = lead_client.post(
        url, {**typed(spec), "subject_es": subject, "body_es": body, "preview": "1"}
    )
    assert preview.status_code == 200
    shown = {c["language"]: c["preview"] for c in preview.context["columns"]}["es"]
    assert "/apply/draft/" in shown["body_text"]
    assert "Red de Cuidados del Sur" not in shown["subject"]
