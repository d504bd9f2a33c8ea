"""A member's contacts change its directory profile and contacts through a signed link."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from applications import links
from applications.members.models import ContactRole, MemberChange
from applications.models import MemberContact, Organisation
from notifications.models import OutboxMessage
from tests import factories
from tests.files import upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def png(width=300, height=200) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (91, 42, 134)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def member():
    return factories.member(
        name="Red de Cuidados",
        contact_email="focal@red.example.org",
        website="https://red.example.org",
        language="es",
        public_listing=True,
        description="Texto de la incorporación.",
    )


@pytest.fixture
def focal(member):
    return member.contacts.get(role=ContactRole.FOCAL_POINT)


def page(contact):
    return links.member_path(contact)


LUCIA = {
    "name": "Lucía",
    "role": "communications",
    "email": "lucia@red.example.org",
    "language": "fr",
}
MARTA = {"name": "Marta", "role": "focal_point", "language": "es"}
PROFILE = {
    "description_es": "Trabajamos por los cuidados comunitarios.",
    "description_en": "We work for community care.",
    "description_fr": "",
    "website": "https://red.example.org/nuevo",
    "priority_areas": ["communication", "knowledge_data"],
    "public_listing": "on",
}


def test_a_contact_asks_for_its_link_and_an_unknown_address_gets_the_same_answer(
    client, member, focal
):
    url = reverse("member_link_request")
    known = client.post(url, {"email": "FOCAL@red.example.org"}, follow=True)
    unknown = client.post(url, {"email": "nadie@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert [m.message for m in known.context["messages"]] == [
        m.message for m in unknown.context["messages"]
    ]
    [mail] = OutboxMessage.objects.filter(event="member_link")
    assert (mail.recipient, mail.language) == ("focal@red.example.org", "es")
    link = re.search(r"http\S+/members/self/\S+/", mail.body_text).group(0)
    assert client.get(link.replace("http://testserver", "")).status_code == 200


def test_an_ended_member_gets_no_link(client, member, reviewer):
    from applications.members import services

    services.member_end(organisation=member, by=services.Actor(user=reviewer), reason="Cierre")
    client.post(reverse("member_link_request"), {"email": "focal@red.example.org"})
    assert not OutboxMessage.objects.filter(event="member_link").exists()


def test_a_tampered_link_is_404_and_an_expired_one_410(client, focal):
    token = links.member_token(focal)
    assert client.get(reverse("member_self_service", args=[token[:-2] + "xx"])).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=181)):
        response = client.get(reverse("member_self_service", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_link_stops_working_when_its_contact_is_removed_or_its_address_changes(
    client, member, focal
):
    other = member.contacts.create(
        role=ContactRole.COMMUNICATIONS, email="com@red.example.org", language="en"
    )
    url = page(other)
    assert client.get(url).status_code == 200
    other.email = "otra@red.example.org"
    other.save()
    assert client.get(url).status_code == 404
    url = page(other)
    other.delete()
    assert client.get(url).status_code == 404


def test_the_contact_edits_the_profile_and_the_directory_shows_it(client, member, focal):
    response = client.post(page(focal), PROFILE, follow=True)
    assert response.status_code == 200
    member = Organisation.objects.get(pk=member.pk)
    assert member.descriptions == {
        "es": "Trabajamos por los cuidados comunitarios.",
        "en": "We work for community care.",
    }
    assert member.priority_areas == ["communication", "knowledge_data"]
    assert member.website == "https://red.example.org/nuevo"

    detail = client.get(reverse("member_detail", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = detail.content.decode()
    assert "We work for community care." in html
    assert "Communication" in html and "Knowledge and data generation" in html
    es = client.get(
        reverse("member_detail", args=[member.pk]), headers={"cookie": "django_language=es"}
    )
    assert "Trabajamos por los cuidados comunitarios." in es.content.decode()

    [change] = MemberChange.objects.filter(organisation=member, action="profile")
    assert change.by_contact == "focal@red.example.org" and change.by_user is None
    assert change.changes["website"] == ["https://red.example.org", "https://red.example.org/nuevo"]
    assert set(change.changes) == {"descriptions", "website", "priority_areas"}


def test_a_logo_that_is_not_an_image_is_refused_with_the_reason_and_keeps_the_text(
    client, member, focal
):
    bad = upload("logo.png", b"%PDF-1.4 not an image", "image/png")
    response = client.post(page(focal), {**PROFILE, "logo": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not an image we can read" in html
    assert "Trabajamos por los cuidados comunitarios." in html  # what was typed is kept
    member = Organisation.objects.get(pk=member.pk)
    assert member.logo_key == "" and member.descriptions == {}
    assert not MemberChange.objects.exists()


def test_a_new_logo_is_stored_and_shown(client, member, focal, aws):
    response = client.post(page(focal), {**PROFILE, "logo": upload("l.png", png(), "image/png")})
    assert response.status_code == 302
    member = Organisation.objects.get(pk=member.pk)
    assert member.logo_key.startswith("logos/")
    assert aws.object_bytes(member.logo_key).startswith(b"\x89PNG")
    assert client.get(reverse("member_logo", args=[member.pk])).status_code in (200, 302)
    change = MemberChange.objects.get(organisation=member, action="profile")
    assert change.changes["logo_key"] == [False, True]


def test_the_contact_adds_a_communications_contact(client, member, focal):
    response = client.post(
        reverse("member_contact_add", args=[links.member_token(focal)]),
        {
            "name": "Lucía",
            "role": "communications",
            "email": "lucia@red.example.org",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    added = member.contacts.get(role="communications")
    assert (added.name, added.email, added.language) == ("Lucía", "lucia@red.example.org", "fr")
    change = MemberChange.objects.get(action="contact_added")
    assert change.changes["email"] == [None, "lucia@red.example.org"]


def test_a_bad_contact_address_keeps_what_was_typed(client, focal):
    response = client.post(
        reverse("member_contact_add", args=[links.member_token(focal)]),
        {"name": "Lucía", "role": "communications", "email": "lucia@", "language": "fr"},
    )
    assert response.status_code == 400
    assert 'value="Lucía"' in response.content.decode()
    assert MemberContact.objects.count() == 1


def test_a_focal_point_address_change_waits_for_confirmation_from_the_new_address(
    client, member, focal
):
    old_link = page(focal)
    response = client.post(
        reverse("member_contact_edit", args=[links.member_token(focal), focal.pk]),
        {
            "name": "Marta",
            "role": "focal_point",
            "email": "nueva@red.example.org",
            "language": "es",
        },
    )
    assert response.status_code == 302
    focal.refresh_from_db()
    assert (focal.email, focal.pending_email) == ("focal@red.example.org", "nueva@red.example.org")
    assert Organisation.objects.get(pk=member.pk).contact_email == "focal@red.example.org"
    # Mail to the member still goes to the confirmed address.
    from applications.members.selectors import member_recipients

    assert [c.email for c in member_recipients(member, kind="member")] == ["focal@red.example.org"]
    [mail] = OutboxMessage.objects.filter(event="member_email_confirm")
    assert mail.recipient == "nueva@red.example.org"
    confirm = re.search(r"http\S+/members/email/\S+/", mail.body_text).group(0)
    confirm = confirm.replace("http://testserver", "")

    assert client.get(confirm).status_code == 200  # a page with a button: nothing changes yet
    focal.refresh_from_db()
    assert focal.email == "focal@red.example.org"

    response = client.post(confirm)
    assert response.status_code == 302
    focal.refresh_from_db()
    assert (focal.email, focal.pending_email) == ("nueva@red.example.org", "")
    assert Organisation.objects.get(pk=member.pk).contact_email == "nueva@red.example.org"
    assert client.get(response["Location"]).status_code == 200  # the new link works
    assert client.get(old_link).status_code == 404  # the old address's link does not
    confirmed = MemberChange.objects.get(action="contact_email_confirmed")
    assert confirmed.by_contact == "nueva@red.example.org"
    assert client.post(confirm).status_code == 410  # used once


def test_a_change_never_confirmed_changes_nothing_and_a_second_one_voids_the_first(
    client, member, focal
):
    edit = reverse("member_contact_edit", args=[links.member_token(focal), focal.pk])
    data = MARTA
    client.post(edit, {**data, "email": "primera@red.example.org"})
    client.post(edit, {**data, "email": "segunda@red.example.org"})
    first, second = (
        re.search(r"/members/email/\S+/", m.body_text).group(0)
        for m in OutboxMessage.objects.filter(event="member_email_confirm").order_by("pk")
    )
    assert client.post(first).status_code == 410
    focal.refresh_from_db()
    assert (focal.email, focal.pending_email) == (
        "focal@red.example.org",
        "segunda@red.example.org",
    )
    with time_machine.travel(timezone.now() + timedelta(days=181)):
        assert client.post(second).status_code == 410
    focal.refresh_from_db()
    assert focal.email == "focal@red.example.org"
    assert not MemberChange.objects.filter(action="contact_email_confirmed").exists()
    tampered = second[:-3] + "zz/"
    assert client.post(tampered).status_code == 404


def test_every_change_is_visible_to_staff(client, member, focal, reviewer):
    client.post(page(focal), PROFILE)
    client.post(
        reverse("member_contact_add", args=[links.member_token(focal)]),
        {
            "name": "Lucía",
            "role": "communications",
            "email": "lucia@red.example.org",
            "language": "fr",
        },
    )
    client.force_login(reviewer)
    html = client.get(reverse("review:member_detail", args=[member.pk])).content.decode()
    assert html.count('class="change"') == 2
    assert "focal@red.example.org" in html and "lucia@red.example.org" in html
    assert "Directory profile changed" in html and "Contact added" in html
