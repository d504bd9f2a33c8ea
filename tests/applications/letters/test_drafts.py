"""Save and continue later (issue 13 item 5): a draft keeps every answer and checked file,
its signed link is emailed through the outbox, resuming restores everything, and sending
it is the normal submission. A draft is not a letter; it expires with its files."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.drafts.services import drafts_expire
from applications.links import draft_public_id_from_token, draft_token
from applications.models import Attachment, DraftFile, Letter, LetterDraft
from notifications.models import OutboxMessage
from review.models import LetterProcess
from review.selectors import letter_open_task
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

URL = reverse("applications:letter_create")


def half_filled(**extra):
    """A letter begun: the organisation and contact, no motivation, no priority areas."""
    data = form_data(
        organisation_name="Red de Cuidados del Sur",
        contact_name="Ana Pérez",
        contact_email="ana@sur.example.org",
        care_work="Cuidamos a personas mayores en tres barrios.",
        language="fr",
    )
    for name in ("motivation", "priority_areas", "consent_privacy"):
        data.pop(name, None)
    data.update(extra)
    return data


def resume_link_in(message: OutboxMessage) -> str:
    return re.search(r"http://testserver(/apply/draft/[^/\s]+/)", message.body_text).group(1)


def draft_of(link: str) -> str:
    """The draft a resume link names (two links signed a second apart differ)."""
    return draft_public_id_from_token(link.rstrip("/").rsplit("/", 1)[1])


def save(client, **extra):
    data = half_filled(signed_letter=upload("carta.pdf", pdf_bytes("Carta firmada")), **extra)
    return client.post(URL, {**data, "save_draft": "1"}, HTTP_ACCEPT_LANGUAGE="es")


def test_saving_keeps_answers_and_file_and_emails_the_link_only(client, aws, reviewer):
    response = save(client)
    assert response.status_code == 302
    draft = LetterDraft.objects.get()
    assert draft.data["organisation_name"] == ["Red de Cuidados del Sur"]
    assert draft.language == "fr"
    stored = DraftFile.objects.get()
    assert stored.original_name == "carta.pdf" and stored.kind == "signed_letter"
    assert aws.object_bytes(stored.key) == pdf_bytes("Carta firmada")
    # Not a letter: no letter, no review process, no staff email; the applicant gets the link.
    assert Letter.objects.count() == 0 and Attachment.objects.count() == 0
    assert LetterProcess.objects.count() == 0
    (email,) = OutboxMessage.objects.all()
    assert (email.event, email.audience, email.recipient) == (
        "letter_draft_saved",
        "applicant",
        "ana@sur.example.org",
    )
    assert email.language == "fr" and email.reply_to
    assert draft_of(resume_link_in(email)) == draft_of(response["Location"]) == str(draft.public_id)


def test_resuming_restores_every_field_and_file_and_sending_is_a_submission(
    client, aws, reviewer, django_capture_on_commit_callbacks
):
    save(client)
    link = resume_link_in(OutboxMessage.objects.get())
    client.cookies.clear()  # the browser was closed
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Red de Cuidados del Sur"' in html
    assert 'value="ana@sur.example.org"' in html
    assert "Cuidamos a personas mayores en tres barrios." in html
    assert re.search(r'<input[^>]*name="language"[^>]*value="fr"[^>]*checked', html)
    stored = DraftFile.objects.get()
    assert re.search(rf'name="keep_file" value="{stored.pk}" checked', html)
    assert "carta.pdf" in html

    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    finished = form_data(
        organisation_name="Red de Cuidados del Sur",
        contact_email="ana@sur.example.org",
        language="fr",
        idempotency_key=key,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            link, {**finished, "keep_file": str(stored.pk)}, HTTP_ACCEPT_LANGUAGE="es"
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = Letter.objects.get()
    assert letter.status == "submitted" and letter.language == "fr"
    attachment = letter.attachments.get()
    assert attachment.original_name == "carta.pdf"
    assert aws.object_bytes(attachment.key) == pdf_bytes("Carta firmada")
    # In the screening queue, as every letter; the draft and its file are gone.
    assert letter_open_task(letter=letter, node_name="screen") is not None
    assert LetterDraft.objects.count() == 0 and DraftFile.objects.count() == 0
    assert aws.object_keys() == [attachment.key]
    events = sorted(OutboxMessage.objects.values_list("event", "audience"))
    assert ("letter_submitted", "applicant") in events
    assert ("letter_submitted", "Secretariat") in events
    # A second click on "Send" lands on the letter, not on an error.
    assert str(letter.idempotency_key) == key
    again = client.post(link, {**finished, "keep_file": str(stored.pk)})
    assert again.status_code == 302 and Letter.objects.count() == 1


def test_saving_again_updates_the_draft_and_an_unticked_file_goes(
    client, aws, django_capture_on_commit_callbacks
):
    save(client)
    draft, stored = LetterDraft.objects.get(), DraftFile.objects.get()
    link = reverse("applications:letter_draft", args=[draft_token(draft)])
    data = half_filled(motivation="Queremos aprender de otras redes.")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {**data, "save_draft": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.saves == 2
    assert draft.data["motivation"] == ["Queremos aprender de otras redes."]
    assert DraftFile.objects.count() == 0
    assert stored.key not in aws.object_keys()
    assert OutboxMessage.objects.filter(event="letter_draft_saved").count() == 2


def test_saving_without_the_contact_email_says_why_and_keeps_the_answers(client, aws):
    data = half_filled(contact_email="")
    response = client.post(URL, {**data, "save_draft": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "To save your letter for later we need the contact e-mail" in html
    assert 'value="Red de Cuidados del Sur"' in html
    # Only what a draft needs is checked: the missing motivation is not reported.
    assert html.count('class="errorlist"') <= 2
    assert LetterDraft.objects.count() == 0 and aws.object_keys() == []


def test_a_hostile_file_is_refused_and_nothing_is_saved(client, aws):
    data = half_filled(signed_letter=upload("carta.pdf", b"<html><script>x</script>"))
    response = client.post(URL, {**data, "save_draft": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "is not a PDF, DOCX or ODT document" in response.content.decode()
    assert LetterDraft.objects.count() == 0 and aws.object_keys() == []


def test_drafts_are_in_no_staff_list(client, aws, reviewer):
    save(client)
    client.force_login(reviewer)
    assert (
        "Red de Cuidados del Sur" not in client.get(reverse("review:letter_list")).content.decode()
    )


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_reminder_before_expiry_then_deleted_with_files_and_the_link_answers_410(
    client, aws, settings, language, django_capture_on_commit_callbacks
):
    settings.DRAFT_EXPIRY_DAYS = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        save(client, language=language)
    draft, stored = LetterDraft.objects.get(), DraftFile.objects.get()
    link = reverse("applications:letter_draft", args=[draft_token(draft)])
    with time_machine.travel(start + datetime.timedelta(days=26), tick=False):
        assert drafts_expire() == 0
    with time_machine.travel(start + datetime.timedelta(days=27, hours=1), tick=False):
        assert drafts_expire() == 1
        assert drafts_expire() == 0  # once
    reminder = OutboxMessage.objects.get(event="letter_draft_expiring")
    assert reminder.language == language and draft_of(resume_link_in(reminder)) == draft_of(link)
    with time_machine.travel(start + datetime.timedelta(days=30, minutes=1), tick=False):
        gone = client.get(link)  # expired, before the daily run
        assert gone.status_code == 410
        with django_capture_on_commit_callbacks(execute=True):
            assert drafts_expire() == 1
    assert LetterDraft.objects.count() == 0 and DraftFile.objects.count() == 0
    assert stored.key not in aws.object_keys()
    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    html = response.content.decode()
    assert "This saved letter is no longer available" in html
    assert f'href="{URL}"' in html


def test_an_altered_link_is_not_found(client):
    assert client.get(reverse("applications:letter_draft", args=["nope"])).status_code == 404


def _file_question(lead, **fields):
    """A required extra question answered with a file, on every letter."""
    from applications.questions import services as questions

    data = {
        "target": "letter",
        "kind": "file",
        "label_es": "Estatutos",
        "label_en": "Statutes",
        "label_fr": "Statuts",
        "choices": [],
        "required": True,
        "position": 1,
        **fields,
    }
    return f"q_{questions.question_save(data=data, by=lead).pk}"


def test_a_file_answering_an_extra_question_is_kept_by_the_draft_and_sent_as_its_answer(
    client, aws, lead, reviewer, django_capture_on_commit_callbacks
):
    name = _file_question(lead)
    assert (
        save(client, **{name: upload("estatutos.pdf", pdf_bytes("Estatutos"))}).status_code == 302
    )
    kept = {stored.kind: stored for stored in DraftFile.objects.all()}
    assert set(kept) == {"signed_letter", name}
    assert aws.object_bytes(kept[name].key) == pdf_bytes("Estatutos")

    link = resume_link_in(OutboxMessage.objects.get())
    html = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(rf'name="keep_file" value="{kept[name].pk}" checked> estatutos.pdf', html)
    assert "answer to “Statutes”" in html
    assert "A new file chosen for a question replaces the one kept for it." in html
    # The question is answered already: not marked required, nor required by the browser.
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    assert "required" not in field

    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    finished = form_data(contact_email="ana@sur.example.org", idempotency_key=key)
    keep = [str(stored.pk) for stored in kept.values()]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {**finished, "keep_file": keep})
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = Letter.objects.get()
    files = {attachment.kind: attachment for attachment in letter.attachments.all()}
    assert set(files) == {"signed_letter", "question"}
    assert aws.object_bytes(files["question"].key) == pdf_bytes("Estatutos")
    [answer] = letter.answers
    assert answer["value"]["sha256"] == files["question"].sha256
    assert answer["text"]["en"] == "estatutos.pdf" and answer["label"]["en"] == "Statutes"
    assert sorted(aws.object_keys()) == sorted(a.key for a in files.values())


def test_an_unticked_file_answer_is_asked_again_and_a_new_one_replaces_the_kept_one(
    client, aws, lead, django_capture_on_commit_callbacks
):
    name = _file_question(lead)
    save(client, **{name: upload("viejos.pdf", pdf_bytes("Viejos estatutos"))})
    draft = LetterDraft.objects.get()
    kept = {stored.kind: stored for stored in draft.files.all()}
    link = reverse("applications:letter_draft", args=[draft_token(draft)])

    # Without the kept file, the required question must be answered again.
    letter_only = {**form_data(contact_email="ana@sur.example.org")}
    refused = client.post(
        link,
        {**letter_only, "keep_file": [str(kept["signed_letter"].pk)]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors[name] == ["This field is required."]
    assert Letter.objects.count() == 0

    # Saved again with a new file for the question: it replaces the kept one.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            link,
            {
                **half_filled(),
                name: upload("nuevos.pdf", pdf_bytes("Nuevos estatutos")),
                "keep_file": [str(stored.pk) for stored in kept.values()],
                "save_draft": "1",
            },
        )
    assert response.status_code == 302
    [answer_file] = draft.files.filter(kind=name)
    assert answer_file.original_name == "nuevos.pdf"
    assert aws.object_bytes(answer_file.key) == pdf_bytes("Nuevos estatutos")
    assert kept[name].key not in aws.object_keys()
    assert draft.files.filter(kind="signed_letter").get() == kept["signed_letter"]


def test_a_file_answer_that_is_not_a_document_is_refused_when_saving(client, aws, lead):
    name = _file_question(lead)
    fake = upload("estatutos.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    response = save(client, **{name: fake})  # in Spanish
    assert response.status_code == 400
    assert "no es un documento PDF, DOCX u ODT" in response.context["form"].errors[name][0]
    assert LetterDraft.objects.count() == 0 and aws.object_keys() == []


def test_a_kept_file_answer_whose_question_was_retired_is_not_listed_nor_sent(
    client, aws, lead, reviewer, django_capture_on_commit_callbacks
):
    from applications.questions import services as questions
    from applications.questions.models import Question

    name = _file_question(lead)
    save(client, **{name: upload("estatutos.pdf", pdf_bytes("Estatutos"))})
    questions.question_retire(question=Question.objects.get(), by=lead)
    draft = LetterDraft.objects.get()
    link = reverse("applications:letter_draft", args=[draft_token(draft)])
    html = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "estatutos.pdf" not in html and "carta.pdf" in html
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    finished = form_data(contact_email="ana@sur.example.org", idempotency_key=key)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            link, {**finished, "keep_file": [str(f.pk) for f in draft.files.all()]}
        )
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert [a.kind for a in letter.attachments.all()] == ["signed_letter"]
    assert letter.answers == []
    assert aws.object_keys() == [letter.attachments.get().key]
