"""A new member completes its onboarding checklist through the link in its approval email."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.letters.services import onboarding_reminders_send
from applications.links import (
    letter_public_id_from_onboarding_token,
    onboarding_token,
    status_token,
)
from applications.models import Letter
from notifications.models import OutboxMessage
from review.selectors import letter_open_task
from tests.access_world import onboarding_document

pytestmark = pytest.mark.django_db

CHECKLIST = {
    "name": "Red de Cuidados del Norte",
    "description": "Centros comunitarios de cuidado.",
    "website": "norte.example.org",
    "public_listing": "on",
    "brand_manual_acknowledged": "on",
    "contacts": "ana@norte.example.org\nLUIS@norte.example.org\nana@norte.example.org",
    "communities": ["care_systems", "data"],
}


def onboarding_link_letter(text):
    """The public id of the letter that the onboarding link in ``text`` opens."""
    token = re.search(r"http://testserver/members/onboarding/(\S+)/", text).group(1)
    return letter_public_id_from_onboarding_token(token)


def url(letter):
    return reverse("member_onboarding", args=[onboarding_token(letter)])


def test_approval_email_carries_the_onboarding_link(make_letter):
    letter = make_letter("approved")
    mail = OutboxMessage.objects.get(event="letter_approved", audience="applicant")
    assert onboarding_link_letter(mail.body_text) == str(letter.public_id)


def test_member_completes_the_checklist_and_is_listed(client, make_letter, aws):
    onboarding_document()  # a brand manual to acknowledge (issue 13)
    letter = make_letter("approved", consent_public_listing=False)
    response = client.post(url(letter), CHECKLIST)
    assert response.status_code == 302
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.status == "onboarded"
    checklist = letter.onboarding
    assert checklist.contacts == ["ana@norte.example.org", "luis@norte.example.org"]
    assert checklist.communities == ["care_systems", "data"]
    assert checklist.brand_manual_acknowledged
    organisation = letter.organisation
    assert (organisation.name, organisation.website) == (
        "Red de Cuidados del Norte",
        "https://norte.example.org",
    )
    assert organisation.public_listing is True  # the member's choice now
    assert letter_open_task(letter=letter) is None  # the secretariat task is closed
    assert OutboxMessage.objects.filter(event="letter_onboarded").count() == 1
    assert "Red de Cuidados del Norte" in client.get(reverse("directory")).content.decode()


def test_link_used_again_after_completion_shows_it_is_done(client, make_letter):
    letter = make_letter("approved")
    client.post(url(letter), CHECKLIST)
    again = client.post(url(letter), {**CHECKLIST, "name": "Otro nombre"})
    assert again.status_code == 200
    assert "This checklist has been completed" in again.content.decode()
    assert Letter.objects.get(pk=letter.pk).organisation.name == "Red de Cuidados del Norte"
    assert OutboxMessage.objects.filter(event="letter_onboarded").count() == 1


def test_missing_acknowledgement_and_bad_contacts_are_explained(client, make_letter):
    onboarding_document()  # the acknowledgement is asked only once there is a manual
    letter = make_letter("approved")
    data = {**CHECKLIST, "contacts": "not-an-address"}
    del data["brand_manual_acknowledged"]
    response = client.post(url(letter), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "These are not valid e-mail addresses: not-an-address" in html
    assert 'id="id_brand_manual_acknowledged_error"' in html
    assert Letter.objects.get(pk=letter.pk).status == "approved"


def test_status_link_is_not_an_onboarding_link(client, make_letter):
    letter = make_letter("approved")
    response = client.get(reverse("member_onboarding", args=[status_token(letter)]))
    assert response.status_code == 404
    assert Letter.objects.get(pk=letter.pk).status == "approved"


def test_staff_can_still_complete_onboarding_with_a_note(make_letter, reviewer):
    from applications.letters import services
    from tests.factories import complete

    letter = make_letter("approved")
    complete(
        letter,
        "onboard",
        reviewer,
        lambda: services.letter_onboard(letter=letter, by=reviewer, note="Confirmed by phone."),
    )
    assert Letter.objects.get(pk=letter.pk).status == "onboarded"


def test_reminders_after_7_and_21_days_once_each(make_letter):
    letter = make_letter("approved")
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert onboarding_reminders_send() == 0
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert onboarding_reminders_send() == 1
        assert onboarding_reminders_send() == 0
    with time_machine.travel(timezone.now() + timedelta(days=22)):
        assert onboarding_reminders_send() == 1
    reminders = OutboxMessage.objects.filter(event="letter_onboarding_reminder")
    assert reminders.count() == 2
    assert onboarding_link_letter(reminders.first().body_text) == str(letter.public_id)


def png(width, height, color=(91, 42, 134)) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def test_logo_is_re_encoded_stored_privately_and_shown(client, make_letter, aws):
    from io import BytesIO

    from PIL import Image

    from tests.files import upload

    letter = make_letter("approved")
    logo = upload("logo.png", png(1200, 600) + b"<script>trailing</script>", "image/png")
    response = client.post(url(letter), {**CHECKLIST, "logo": logo})
    assert response.status_code == 302
    organisation = Letter.objects.get(pk=letter.pk).organisation
    assert organisation.logo_key.startswith("logos/")
    stored = aws.object_bytes(organisation.logo_key)
    assert b"<script>" not in stored
    with Image.open(BytesIO(stored)) as image:
        assert image.format == "PNG" and max(image.size) == 400
    page = client.get(reverse("member_detail", args=[organisation.pk])).content.decode()
    assert reverse("member_logo", args=[organisation.pk]) in page
    served = client.get(reverse("member_logo", args=[organisation.pk]))
    assert served.status_code == 302 and "X-Amz-Signature=" in served["Location"]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"%PDF-1.4 not an image", "is not an image we can read"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "is not an image we can read"),
    ],
)
def test_a_logo_that_is_not_an_image_is_refused(client, make_letter, aws, content, message):
    from tests.files import upload

    letter = make_letter("approved")
    response = client.post(
        url(letter), {**CHECKLIST, "logo": upload("logo.png", content, "image/png")}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Letter.objects.get(pk=letter.pk).status == "approved"
    assert not [key for key in aws.object_keys() if key.startswith("logos/")]


def test_a_huge_logo_is_refused(client, make_letter, aws):
    from tests.files import upload

    letter = make_letter("approved")
    response = client.post(
        url(letter), {**CHECKLIST, "logo": upload("big.png", png(4100, 4100), "image/png")}
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
