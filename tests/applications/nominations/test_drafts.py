"""Nominations saved to finish later (issue 13 item 5, the nomination form): the same
draft machinery as the letter form's. A half-filled nomination with its CV is kept,
the member's contacts get a signed link, it restores every answer and the file,
sending it is the normal nomination; a draft is no nomination (no email to the staff
or the nominee, in no list); it expires with a reminder 3 days before and goes with
its files. Plain form posts: it works without JavaScript."""

import datetime
import re

import pytest
import time_machine
from django.urls import resolve, reverse

from applications.drafts.services import drafts_expire
from applications.links import draft_path, draft_public_id_from_token, nominate_token
from applications.models import DraftFile, LetterDraft, Nomination
from notifications.models import OutboxMessage
from tests import factories
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _nominate_url(call, member):
    return reverse("applications:nomination_create", args=[nominate_token(call, member)])


def _half(nominee_org, **extra):
    return {
        "nominee_name": "Ana Gómez",
        "nominee_organisation": nominee_org.pk,
        "nominee_language": "fr",
        "motivation": "Veinte años de trabajo en cuidados.",
        "cv": upload("cv ana.pdf", pdf_bytes("CV de Ana")),
        "save_draft": "1",
        **extra,
    }


def return_link(body: str, draft) -> None:
    """The email's link opens this draft's form."""
    from django.test import Client

    [path] = re.findall(r"https?://[^/\s]+(/nominate/draft/\S+/)", body)
    page = Client().get(path)
    assert page.status_code == 200
    assert draft.files.first() is None or draft.files.first().original_name in page.content.decode()


@pytest.fixture
def saved(client, open_call, aws, reviewer, staff_groups):
    nominator, nominee_org = factories.member(), factories.member()
    response = client.post(_nominate_url(open_call, nominator), _half(nominee_org))
    assert response.status_code == 302
    draft = LetterDraft.objects.get()
    # The link is signed with the time: compare what it opens, not its text.
    opened = resolve(response["Location"])
    assert opened.view_name == "applications:nomination_draft"
    assert draft_public_id_from_token(opened.kwargs["token"]) == str(draft.public_id)
    return draft, nominator, nominee_org


def test_a_half_nomination_with_its_cv_is_saved_and_its_link_goes_to_the_members_contacts(
    saved, aws
):
    draft, nominator, _nominee_org = saved
    assert (draft.call_id, draft.nominated_by) == (draft.call.pk, nominator)
    [file] = DraftFile.objects.filter(draft=draft)
    assert (file.kind, file.original_name) == ("cv", "cv ana.pdf")
    assert aws.object_bytes(file.key) == pdf_bytes("CV de Ana")
    # Not a nomination: nothing in the lists, no email to the staff or the nominee.
    assert not Nomination.objects.exists()
    [email] = OutboxMessage.objects.all()
    assert (email.event, email.audience, email.recipient) == (
        "nomination_draft_saved",
        "nominator",
        nominator.contact_email,
    )
    return_link(email.body_text, draft)


def test_the_link_restores_every_answer_and_the_file_and_sending_it_is_a_nomination(
    saved, client, aws, django_capture_on_commit_callbacks
):
    draft, nominator, nominee_org = saved
    page = client.get(draft_path(draft)).content.decode()
    assert 'value="Ana Gómez"' in page
    assert "Veinte años de trabajo en cuidados.</textarea>" in page
    assert re.search(rf'<option value="{nominee_org.pk}" selected>', page)
    assert re.search(r'value="fr"[^>]*checked', page)
    [file] = draft.files.all()
    assert f'name="keep_file" value="{file.pk}" checked' in page
    assert "cv ana.pdf" in page

    # Sent with the rest, the CV kept from the draft, the endorsement new.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            draft_path(draft),
            {
                "nominee_name": "Ana Gómez",
                "nominee_email": "ana@example.org",
                "nominee_position": "Coordinadora",
                "nominee_organisation": nominee_org.pk,
                "nominee_language": "fr",
                "constituency": nominee_org.constituency,
                "motivation": "Veinte años de trabajo en cuidados.",
                "endorsement": upload("aval.pdf", pdf_bytes("Aval")),
                "keep_file": [str(file.pk)],
            },
        )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.nominated_by == nominator and nomination.nominee_language == "fr"
    files = {a.kind: a for a in nomination.attachments.all()}
    assert set(files) == {"cv", "endorsement"}
    assert aws.object_bytes(files["cv"].key) == pdf_bytes("CV de Ana")
    assert not LetterDraft.objects.exists() and not DraftFile.objects.exists()
    # The draft's own copy of the CV went with it.
    assert file.key not in aws.object_keys()
    # The link is spent: 410 with a way to start again.
    gone = client.get(draft_path(draft))
    assert gone.status_code == 410
    assert reverse("applications:call_list") in gone.content.decode()


def test_saving_without_javascript_needs_no_other_answer(client, open_call, aws):
    nominator = factories.member()
    response = client.post(_nominate_url(open_call, nominator), {"save_draft": "1"})
    assert response.status_code == 302
    assert LetterDraft.objects.get().files.count() == 0
    # A hostile file is still refused, with the answers kept.
    response = client.post(
        _nominate_url(open_call, nominator),
        {"save_draft": "1", "nominee_name": "Ana", "cv": upload("cv.pdf", b"<html>")},
    )
    assert response.status_code == 400
    assert 'value="Ana"' in response.content.decode()
    assert LetterDraft.objects.count() == 1


def test_a_nomination_draft_expires_with_a_reminder_and_goes_with_its_files(
    saved, client, aws, django_capture_on_commit_callbacks
):
    draft, nominator, _org = saved
    [file] = draft.files.all()
    expires = draft.expires_at
    with time_machine.travel(expires - datetime.timedelta(days=2)):
        assert drafts_expire() == 1
    [reminder] = OutboxMessage.objects.filter(event="nomination_draft_expiring")
    assert reminder.recipient == nominator.contact_email
    return_link(reminder.body_text, draft)
    with time_machine.travel(expires + datetime.timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert drafts_expire() == 1
        assert client.get(draft_path(draft)).status_code == 410
    assert not LetterDraft.objects.exists()
    assert file.key not in aws.object_keys()


def test_a_letter_drafts_link_does_not_open_on_the_nomination_page(client, aws):
    from applications.drafts.services import draft_save
    from applications.links import draft_token

    letter_draft = draft_save(draft=None, data={}, contact_email="ana@example.org", language="es")
    url = reverse("applications:nomination_draft", args=[draft_token(letter_draft)])
    assert client.get(url).status_code == 410


def test_a_member_without_a_contact_is_told_whom_to_write_to_and_nothing_is_saved(
    client, open_call, settings
):
    settings.SECRETARIAT_EMAIL = "ts@alliance.example.org"
    nominator = factories.member(contact_email="")
    response = client.post(
        _nominate_url(open_call, nominator),
        {"save_draft": "1", "nominee_name": "Ana"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "no contact e-mail to send the link to" in page and "ts@alliance.example.org" in page
    assert 'value="Ana"' in page
    assert not LetterDraft.objects.exists()


def test_a_nul_character_in_an_answer_is_dropped_not_a_500(client, open_call, aws):
    """PostgreSQL's JSON cannot store NUL: the draft keeps the answer without it
    (found by the fuzz test on PostgreSQL); the letter form's drafts share the code."""
    nominator = factories.member()
    response = client.post(
        _nominate_url(open_call, nominator), {"save_draft": "1", "motivation": "Vein\x00te"}
    )
    assert response.status_code == 302
    assert LetterDraft.objects.get().data["motivation"] == ["Veinte"]
    response = client.post(
        reverse("applications:letter_create"),
        {"save_draft": "1", "contact_email": "a@example.org", "care_work": "\x00Cuidamos"},
    )
    assert response.status_code == 302
    assert LetterDraft.objects.get(call=None).data["care_work"] == ["Cuidamos"]


def test_a_file_answering_the_calls_question_is_kept_and_sent_as_its_answer(
    client, open_call, aws, reviewer, lead, django_capture_on_commit_callbacks
):
    from applications.questions import services as questions

    asked = questions.question_save(
        data={
            "target": "nomination",
            "call": open_call,
            "kind": "file",
            "label_es": "Carta de la candidata",
            "label_en": "Nominee's letter",
            "label_fr": "Lettre de la candidate",
            "choices": [],
            "required": True,
            "position": 1,
        },
        by=lead,
    )
    name = f"q_{asked.pk}"
    nominator, nominee_org = factories.member(), factories.member()
    url = _nominate_url(open_call, nominator)
    answer = upload("carta ana.pdf", pdf_bytes("Carta de Ana"))
    assert client.post(url, _half(nominee_org, **{name: answer})).status_code == 302
    draft = LetterDraft.objects.get()
    kept = {stored.kind: stored for stored in draft.files.all()}
    assert set(kept) == {"cv", name}

    page = client.get(draft_path(draft), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'name="keep_file" value="{kept[name].pk}" checked> carta ana.pdf' in page
    assert "réponse à «\u00a0Lettre de la candidate\u00a0»" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            draft_path(draft),
            {
                "nominee_name": "Ana Gómez",
                "nominee_email": "ana@example.org",
                "nominee_position": "Coordinadora",
                "nominee_organisation": nominee_org.pk,
                "nominee_language": "fr",
                "constituency": nominee_org.constituency,
                "motivation": "Veinte años de trabajo en cuidados.",
                "endorsement": upload("aval.pdf", pdf_bytes("Aval")),
                "keep_file": [str(stored.pk) for stored in kept.values()],
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    nomination = Nomination.objects.get()
    files = {a.kind: a for a in nomination.attachments.all()}
    assert set(files) == {"cv", "endorsement", "question"}
    assert aws.object_bytes(files["question"].key) == pdf_bytes("Carta de Ana")
    [given] = nomination.answers
    assert given["value"]["sha256"] == files["question"].sha256
    assert given["text"]["fr"] == "carta ana.pdf"
