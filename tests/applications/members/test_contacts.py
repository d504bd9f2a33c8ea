"""Several contacts per member, exactly one focal point, and who hears of what."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from applications.members import selectors, services
from applications.members.models import ContactRole, MemberChange, MemberContact
from applications.models import Organisation
from notifications.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db


def member_with_contacts(**fields):
    member = factories.member(contact_email="focal@org.example.org", language="es", **fields)
    member.contacts.create(
        role=ContactRole.COMMUNICATIONS, name="Com", email="com@org.example.org", language="en"
    )
    member.contacts.create(
        role=ContactRole.COMMITTEE_DELEGATE,
        name="Del",
        email="delegate@org.example.org",
        language="fr",
    )
    return member


def recipients(event, **filters):
    return sorted(
        OutboxMessage.objects.filter(event=event, **filters).values_list("recipient", "language")
    )


def test_the_single_contacts_of_today_become_focal_points(make_letter):
    migration = importlib.import_module("applications.migrations.0012_i14_member_contacts")
    letter = make_letter("onboarded", contact_name="María Pérez", contact_email="maria@org.example")
    imported = Organisation.objects.create(
        name="Importada",
        constituency="trade_union",
        country="AR",
        contact_email="roll@importada.example.org",
        language="fr",
    )
    MemberContact.objects.all().delete()  # as before the migration

    migration.single_contacts_to_focal_points(apps, None)

    focal = MemberContact.objects.get(organisation=letter.organisation)
    assert (focal.role, focal.name, focal.email) == (
        "focal_point",
        "María Pérez",
        "maria@org.example",
    )
    other = MemberContact.objects.get(organisation=imported)
    assert (other.role, other.name, other.email, other.language) == (
        "focal_point",
        "",
        "roll@importada.example.org",
        "fr",
    )


def test_an_approved_letter_makes_its_contact_the_focal_point(make_letter):
    letter = make_letter("approved", contact_name="Ana Ruiz", contact_email="ana@org.example")
    [focal] = letter.organisation.contacts.all()
    assert (focal.role, focal.name, focal.email, focal.language) == (
        "focal_point",
        "Ana Ruiz",
        "ana@org.example",
        letter.language,
    )


def test_a_member_cannot_have_two_focal_points():
    member = factories.member()
    with pytest.raises(IntegrityError), transaction.atomic():
        member.contacts.create(role=ContactRole.FOCAL_POINT, email="x@y.org", language="es")
    with pytest.raises(services.DomainError):
        services.member_contact_add(
            organisation=member,
            by=services.Actor(contact=member.contacts.get()),
            name="Otra",
            role=ContactRole.FOCAL_POINT,
            email="otra@y.org",
            language="es",
        )
    assert member.contacts.count() == 1


def test_the_focal_point_cannot_be_removed_or_demoted():
    member = member_with_contacts()
    focal = member.contacts.get(role=ContactRole.FOCAL_POINT)
    actor = services.Actor(contact=focal)
    with pytest.raises(services.DomainError):
        services.member_contact_remove(contact=focal, by=actor)
    with pytest.raises(services.DomainError):
        services.member_contact_update(
            contact=focal,
            by=actor,
            name="x",
            role=ContactRole.COMMUNICATIONS,
            email=focal.email,
            language="es",
        )
    assert member.contacts.filter(role=ContactRole.FOCAL_POINT).get() == focal


def test_making_another_contact_the_focal_point_swaps_the_roles_and_mirrors_it():
    member = member_with_contacts()
    focal = member.contacts.get(role=ContactRole.FOCAL_POINT)
    delegate = member.contacts.get(role=ContactRole.COMMITTEE_DELEGATE)
    services.member_contact_update(
        contact=delegate,
        by=services.Actor(contact=focal),
        name="Del",
        role=ContactRole.FOCAL_POINT,
        email=delegate.email,
        language="fr",
    )
    focal.refresh_from_db()
    assert focal.role == ContactRole.COMMITTEE_DELEGATE
    member = Organisation.objects.get(pk=member.pk)
    assert (member.contact_email, member.language) == ("delegate@org.example.org", "fr")
    assert MemberChange.objects.filter(organisation=member, action="contact_changed").exists()


def test_calls_go_to_the_focal_point_only():
    member = member_with_contacts()
    factories.call()
    from applications.nominations.services import call_invitations_send

    call_invitations_send()
    assert recipients("call_opened") == [("focal@org.example.org", "es")]
    assert member.contacts.count() == 3


def test_nomination_emails_to_the_member_go_to_the_focal_point_and_the_committee_delegate():
    member = member_with_contacts()
    factories.nomination_in_state("awaiting_consent", call=factories.call(), nominator=member)
    assert recipients("nomination_submitted", audience="nominator") == [
        ("delegate@org.example.org", "fr"),
        ("focal@org.example.org", "es"),
    ]


def test_membership_emails_go_to_the_focal_point_in_its_language(reviewer):
    member = member_with_contacts()
    services.member_suspend(
        organisation=member, by=services.Actor(user=reviewer), reason="Cuotas impagas"
    )
    assert recipients("member_suspended") == [("focal@org.example.org", "es")]
    [mail] = OutboxMessage.objects.filter(event="member_suspended")
    assert "suspendido" in mail.body_text and "Cuotas impagas" in mail.body_text


def test_the_routes_name_the_contacts_whose_role_fits():
    member = member_with_contacts()
    routed = {
        kind: sorted(c.email for c in selectors.member_recipients(member, kind=kind))
        for kind in selectors.ROUTES
    }
    assert routed == {
        "call": ["focal@org.example.org"],
        "nomination": ["delegate@org.example.org", "focal@org.example.org"],
        "member": ["focal@org.example.org"],
        "directory": ["com@org.example.org", "focal@org.example.org"],
    }


def test_a_member_without_contact_rows_still_gets_its_mail():
    member = Organisation.objects.create(
        name="A mano",
        constituency="academia",
        country="FR",
        contact_email="main@a-mano.example.org",
        language="fr",
    )
    [contact] = selectors.member_recipients(member, kind="call")
    assert (contact.email, contact.language, contact.role) == (
        "main@a-mano.example.org",
        "fr",
        "focal_point",
    )
