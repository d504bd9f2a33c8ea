"""The reviewer's task pages: permissions, four-eyes, bad requests."""

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from applications.models import Letter
from review.selectors import letter_open_task
from tests.factories import checklist_ticked, form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def url(letter, node, action):
    task = letter_open_task(letter=letter, node_name=node)
    return reverse(f"letter:{node}:{action}", args=[task.process_id, task.pk])


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("letter:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_task_page_shows_the_letter_its_files_and_history(client, reviewer, aws):
    data = form_data(organisation_name="Cuidadoras Unidas")
    data["signed_letter"] = upload("firmada.pdf", pdf_bytes())
    client.post(reverse("applications:letter_create"), data)
    letter = Letter.objects.get()
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    html = client.get(url(letter, "screen", "execute")).content.decode()
    assert "Cuidadoras Unidas" in html
    assert "firmada.pdf" in html
    assert letter.care_work in html
    assert "submit" in html  # the history's first row
    download = client.get(reverse("review:attachment", args=[letter.attachments.get().pk]))
    assert download.status_code == 302
    assert "X-Amz-Signature=" in download["Location"]


def test_screening_requires_a_message_for_changes(client, reviewer, make_letter):
    letter = make_letter("submitted")
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    response = client.post(url(letter, "screen", "execute"), {"outcome": "request_changes"})
    assert response.status_code == 200
    assert "Write the message the applicant will read" in response.content.decode()
    assert Letter.objects.get(pk=letter.pk).status == "submitted"


def test_request_changes_waits_for_the_applicant(client, reviewer, make_letter):
    letter = make_letter("submitted")
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    response = client.post(
        url(letter, "screen", "execute"),
        {"outcome": "request_changes", "message": "Adjunten la carta firmada."},
    )
    assert response.status_code == 302
    assert Letter.objects.get(pk=letter.pk).status == "changes_requested"
    assert letter_open_task(letter=letter, node_name="await_changes") is not None


def test_screener_cannot_take_or_complete_the_decision(client, reviewer, approver, make_letter):
    from django.contrib.auth.models import Group

    reviewer.groups.add(Group.objects.get(name="Committee"))
    letter = make_letter("reviewed")
    client.force_login(reviewer)
    refused = client.post(url(letter, "decide", "assign"))
    assert refused.status_code == 403
    assert "four-eyes rule" in refused.content.decode()
    client.force_login(approver)
    client.post(url(letter, "decide", "assign"))
    client.force_login(reviewer)
    response = client.post(url(letter, "decide", "execute"), {"decision": "approve"})
    assert response.status_code == 403
    assert Letter.objects.get(pk=letter.pk).status == "reviewed"


def test_user_without_the_group_gets_403_and_nothing_changes(client, make_letter):
    letter = make_letter("submitted")
    outsider = User.objects.create_user("outsider", password="x")
    client.force_login(outsider)
    assert client.post(url(letter, "screen", "assign")).status_code == 403
    refused = client.get(url(letter, "screen", "execute"))
    assert refused.status_code == 403
    assert "Your role does not include this task" in refused.content.decode()
    assert Letter.objects.get(pk=letter.pk).status == "submitted"


def test_forged_task_id_is_404(client, reviewer, make_letter):
    letter = make_letter("submitted")
    task = letter_open_task(letter=letter, node_name="screen")
    client.force_login(reviewer)
    response = client.get(reverse("letter:screen:execute", args=[task.process_id, 999999]))
    assert response.status_code == 404


def test_completing_a_task_twice_changes_nothing_the_second_time(client, reviewer, make_letter):
    letter = make_letter("submitted")
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    execute = url(letter, "screen", "execute")
    first = client.post(execute, {"outcome": "recommend_approval", **checklist_ticked()})
    second = client.post(execute, {"outcome": "request_changes", "message": "x"})
    assert first.status_code == 302
    assert second.status_code == 403
    assert "already completed by Sofía" in second.content.decode()
    assert Letter.objects.get(pk=letter.pk).status == "reviewed"


def test_completing_a_task_assigned_to_someone_else_is_refused(
    client, reviewer, reviewer2, make_letter
):
    letter = make_letter("submitted")
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    client.force_login(reviewer2)
    response = client.post(
        url(letter, "screen", "execute"), {"outcome": "recommend_approval", **checklist_ticked()}
    )
    assert response.status_code == 403
    assert "This task is assigned to Sofía" in response.content.decode()
    assert Letter.objects.get(pk=letter.pk).status == "submitted"


def test_staff_letter_pages_need_the_role(client, reviewer, make_letter):
    letter = make_letter("submitted")
    outsider = User.objects.create_user("outsider", password="x")
    client.force_login(outsider)
    assert client.get(reverse("review:letter_detail", args=[letter.pk])).status_code == 403
    client.force_login(reviewer)
    response = client.get(reverse("review:letter_detail", args=[letter.pk]))
    assert response.status_code == 200
    assert letter.organisation_name in response.content.decode()


def test_recommending_approval_needs_the_whole_checklist(client, reviewer, make_letter):
    letter = make_letter("submitted")
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    ticks = checklist_ticked()
    del ticks["no_duplicate"]
    response = client.post(
        url(letter, "screen", "execute"), {"outcome": "recommend_approval", **ticks}
    )
    assert response.status_code == 200
    assert "tick every eligibility item" in response.content.decode()
    assert Letter.objects.get(pk=letter.pk).status == "submitted"


def test_checklist_is_recorded_with_the_screening(client, reviewer, make_letter):
    letter = make_letter("submitted")
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    client.post(
        url(letter, "screen", "execute"),
        {
            "outcome": "recommend_rejection",
            "message": "No trabaja en cuidados.",
            "is_organisation": "on",
        },
    )
    letter.refresh_from_db()
    assert letter.status == "reviewed"
    assert letter.recommendation == "reject"
    assert letter.screening_checklist["is_organisation"] is True
    assert letter.screening_checklist["works_on_care"] is False


def test_possible_duplicates_are_shown_with_links(client, reviewer, make_letter):
    first = make_letter(
        "submitted",
        organisation_name="Fundación Cuidar, A.C.",
        website="https://cuidar.org",
        contact_email="a@one.example.org",
    )
    second = make_letter(
        "submitted",
        organisation_name="FUNDACION CUIDAR AC",
        website="https://www.other.org",
        contact_email="b@gmail.com",
    )
    third = make_letter(
        "submitted",
        organisation_name="Otra",
        website="https://www.cuidar.org/about",
        contact_email="c@gmail.com",
    )
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.duplicate_count == 1
    assert third.duplicate_count == 1
    client.force_login(reviewer)
    html = client.get(reverse("review:letter_detail", args=[third.pk])).content.decode()
    assert reverse("review:letter_detail", args=[first.pk]) in html
    assert "same website" in html


def test_resubmission_shows_what_changed(client, reviewer, make_letter):
    from applications.links import status_token

    letter = make_letter("changes_requested", motivation="Antes.")
    data = form_data(
        organisation_name=letter.organisation_name,
        contact_email=letter.contact_email,
        website=letter.website,
        motivation="Después, con plan de trabajo.",
    )
    client.post(reverse("applications:letter_edit", args=[status_token(letter)]), data)
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    html = client.get(url(letter, "screen", "execute")).content.decode()
    assert "What changed in submission 2" in html
    assert "<del>Antes.</del>" in html
    assert "<ins>Después, con plan de trabajo.</ins>" in html


def test_preview_shows_the_exact_email_and_changes_nothing(client, reviewer, make_letter):
    from notifications.models import OutboxMessage

    letter = make_letter("submitted", language="fr")
    client.force_login(reviewer)
    client.post(url(letter, "screen", "assign"))
    execute = url(letter, "screen", "execute")
    form = {"outcome": "request_changes", "message": "Merci d'ajouter votre plan de travail."}
    before = OutboxMessage.objects.count()
    # The status link in the email is signed with the time; hold the clock so that
    # preview and sending sign the same second.
    with time_machine.travel(timezone.now(), tick=False):
        response = client.post(execute, {**form, "preview": "1"})
        assert response.status_code == 200
        preview = response.context["preview"]
        assert "Merci d'ajouter votre plan de travail." in preview["body_text"]
        assert Letter.objects.get(pk=letter.pk).status == "submitted"
        assert OutboxMessage.objects.count() == before

        client.post(execute, form)
    sent = OutboxMessage.objects.get(event="letter_changes_requested")
    assert (sent.subject, sent.body_text, sent.body_html) == (
        preview["subject"],
        preview["body_text"],
        preview["body_html"],
    )


def test_letter_page_tells_the_screener_why_they_cannot_decide(client, reviewer, make_letter):
    letter = make_letter("reviewed")
    client.force_login(reviewer)
    html = client.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "four-eyes rule" in html
    assert "Open task" not in html
