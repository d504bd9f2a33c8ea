"""The applicant's status page behind a signed link."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from applications.links import STATUS_SALT, status_path, status_token
from applications.models import Letter
from review.selectors import letter_open_task
from tests.conftest import subject_of
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_status_page_shows_status_and_history_without_internal_notes(client, make_letter):
    letter = make_letter("reviewed")
    Letter.objects.filter(pk=letter.pk).update(screening_note="INTERNAL: check their finances")
    html = client.get(status_path(letter), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Screened" in html
    assert "Submitted" in html
    assert "INTERNAL" not in html


def test_tampered_link_is_refused_with_a_way_to_get_a_new_one(client, make_letter):
    letter = make_letter("submitted")
    token = status_token(letter)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(reverse("applications:letter_status", args=[forged]))
    assert response.status_code == 404
    assert 'name="email"' in response.content.decode()


def test_link_for_another_purpose_is_refused(client, make_letter):
    letter = make_letter("submitted")
    other = signing.dumps({"letter": str(letter.public_id)}, salt="something-else")
    assert client.get(reverse("applications:letter_status", args=[other])).status_code == 404


def test_expired_link_is_refused(client, make_letter, settings):
    letter = make_letter("submitted")
    with time_machine.travel("2026-01-01 00:00Z"):
        token = signing.dumps({"letter": str(letter.public_id)}, salt=STATUS_SALT, compress=True)
    later = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=settings.STATUS_LINK_MAX_AGE_DAYS + 1)
    with time_machine.travel(later):
        response = client.get(reverse("applications:letter_status", args=[token]))
    assert response.status_code == 410
    assert 'name="email"' in response.content.decode()


def test_new_link_request_sends_a_link_only_to_the_known_address(client, make_letter, deliver, aws):
    letter = make_letter("submitted", contact_email="known@org.example.org")
    before = len(aws.sent())
    with deliver():
        client.post(reverse("applications:status_link_request"), {"email": "KNOWN@org.example.org"})
        client.post(
            reverse("applications:status_link_request"), {"email": "nobody@org.example.org"}
        )
    # The worker sends every due email, the letter's earlier ones included: look at
    # the status links only (the letter is in Spanish).
    links = [
        str(m["To"])
        for m in aws.sent()[before:]
        if subject_of(m) == "Su enlace para dar seguimiento a su carta de expresión de interés"
    ]
    assert links == [letter.contact_email]


def test_applicant_withdraws_and_the_review_tasks_are_cancelled(client, make_letter):
    letter = make_letter("submitted")
    token = status_token(letter)
    response = client.post(reverse("applications:letter_withdraw", args=[token]), {"confirm": "on"})
    assert response.status_code == 302
    assert Letter.objects.get(pk=letter.pk).status == "withdrawn"
    assert letter_open_task(letter=letter) is None
    # A second click is answered with a message, not an error.
    again = client.post(
        reverse("applications:letter_withdraw", args=[token]), {"confirm": "on"}, follow=True
    )
    assert again.status_code == 200
    assert Letter.objects.get(pk=letter.pk).status == "withdrawn"


def test_withdraw_without_confirmation_changes_nothing(client, make_letter):
    letter = make_letter("submitted")
    client.post(reverse("applications:letter_withdraw", args=[status_token(letter)]), {})
    assert Letter.objects.get(pk=letter.pk).status == "submitted"


def test_applicant_edits_and_resubmits_after_changes_requested(client, make_letter, aws):
    letter = make_letter("changes_requested")
    token = status_token(letter)
    page = client.get(reverse("applications:letter_status", args=[token])).content.decode()
    assert "Añadan su plan de trabajo." in page
    data = form_data(organisation_name=letter.organisation_name, motivation="Plan de trabajo 2027.")
    data["signed_letter"] = upload("plan.pdf", pdf_bytes())
    response = client.post(reverse("applications:letter_edit", args=[token]), data)
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "submitted"
    assert letter.revision == 2
    assert letter.motivation == "Plan de trabajo 2027."
    assert letter.attachments.get().revision == 2
    assert letter_open_task(letter=letter, node_name="screen") is not None


def test_edit_is_refused_when_no_changes_were_requested(client, make_letter):
    letter = make_letter("submitted")
    response = client.post(
        reverse("applications:letter_edit", args=[status_token(letter)]), form_data(), follow=True
    )
    assert response.status_code == 200
    assert Letter.objects.get(pk=letter.pk).revision == 1


def test_applicant_downloads_own_file_through_a_presigned_url(client, aws):
    data = form_data()
    data["signed_letter"] = upload("carta.pdf", pdf_bytes())
    client.post(reverse("applications:letter_create"), data)
    letter = Letter.objects.get()
    attachment = letter.attachments.get()
    url = reverse("applications:letter_attachment", args=[status_token(letter), attachment.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(aws.endpoint)
    assert "X-Amz-Signature=" in response["Location"]
    assert "response-content-disposition=attachment" in response["Location"]
