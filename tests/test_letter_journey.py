"""A letter travels from the public form to onboarding through the real parts:
the database, moto's S3 bucket, anymail's SES backend to moto's SES, the
django-tasks worker and the viewflow task views."""

import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django_fsm_log.models import StateLog

from applications.models import Letter
from review.selectors import letter_open_task

from .conftest import subject_of, text_of
from .factories import checklist_ticked, form_data
from .files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def es(text):
    with translation.override("es"):
        return translation.gettext(text)


def task_url(letter, node, action):
    task = letter_open_task(letter=letter, node_name=node)
    return reverse(f"letter:{node}:{action}", args=[task.process_id, task.pk])


def mail_to(aws, address):
    return [m for m in aws.sent() if address in m["To"]]


def test_letter_goes_from_form_to_onboarding(
    client, aws, deliver, reviewer, approver, django_user_model
):
    pdf = pdf_bytes()
    data = form_data(
        organisation_name="Red de Cuidados del Sur", contact_email="ana@sur.example.org"
    )
    data["signed_letter"] = upload("carta firmada.pdf", pdf)

    # 1. The applicant submits in Spanish.
    with deliver():
        response = client.post(
            reverse("applications:letter_create"), data, HTTP_ACCEPT_LANGUAGE="es"
        )
    assert response.status_code == 302
    letter = Letter.objects.get(organisation_name="Red de Cuidados del Sur")
    assert letter.status == "submitted"

    attachment = letter.attachments.get()
    assert aws.object_keys() == [attachment.key]
    assert aws.object_bytes(attachment.key) == pdf
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    assert attachment.original_name == "carta firmada.pdf"

    received = mail_to(aws, "ana@sur.example.org")
    assert [subject_of(m) for m in received] == [es("We have received your letter of interest")]
    assert (
        es("We have received your letter of interest") != "We have received your letter of interest"
    )
    status_link = re.search(r"http://testserver(/letters/\S+/)", text_of(received[0])).group(1)
    assert subject_of(mail_to(aws, reviewer.email)[0]).startswith("New letter of interest")
    assert client.get(status_link).status_code == 200

    # 2. The reviewer screens it and recommends approval.
    client.force_login(reviewer)
    assert "Red de Cuidados del Sur" in client.get(reverse("letter:queue")).content.decode()
    client.post(task_url(letter, "screen", "assign"))
    with deliver():
        response = client.post(
            task_url(letter, "screen", "execute"),
            {"outcome": "recommend_approval", "note": "Eligible.", **checklist_ticked()},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    letter.refresh_from_db()
    assert letter.status == "reviewed"
    assert (
        subject_of(mail_to(aws, approver.email)[0]) == "Ready for decision: Red de Cuidados del Sur"
    )

    # 3. The screener may not take the decision; a committee approver decides.
    decide_assign = task_url(letter, "decide", "assign")
    assert client.post(decide_assign).status_code == 403
    client.force_login(approver)
    assert client.post(decide_assign).status_code == 302
    with deliver():
        response = client.post(
            task_url(letter, "decide", "execute"), {"decision": "approve", "reason": ""}
        )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "approved"
    assert letter.decided_by == approver

    # 4. The secretariat onboards the new member.
    client.force_login(reviewer)
    client.post(task_url(letter, "onboard", "assign"))
    with deliver():
        response = client.post(task_url(letter, "onboard", "execute"), {"confirm": "on"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "onboarded"
    assert letter.organisation.public_listing is True

    subjects = [subject_of(m) for m in mail_to(aws, "ana@sur.example.org")]
    assert subjects == [
        es("We have received your letter of interest"),
        es("Your letter of interest has been screened"),
        es("Your letter of interest is approved"),
        es("Welcome to the Global Alliance for Care: getting started"),
    ]
    welcome = mail_to(aws, "ana@sur.example.org")[-1]
    assert welcome.get_body(preferencelist=("html",)) is not None

    # 5. Every transition is in the audit log with its actor.
    logs = [
        (log.transition, log.state, log.by) for log in StateLog.objects.for_(letter).order_by("pk")
    ]
    assert logs == [
        ("submit", "submitted", None),
        ("screen", "reviewed", reviewer),
        ("approve", "approved", approver),
        ("onboard", "onboarded", reviewer),
    ]
    assert "Red de Cuidados del Sur" in client.get(reverse("directory")).content.decode()
