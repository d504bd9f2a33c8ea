"""The membership's state machine: each transition by each actor, allowed and refused."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_fsm_log.models import StateLog

from applications.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from applications.members import selectors, services
from applications.members.models import ContactRole, MemberChange, MembershipStatus
from applications.models import Nomination, Organisation
from notifications.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def member():
    member = factories.member(
        name="Sindicato de Cuidadoras",
        contact_email="focal@sind.example.org",
        language="fr",
        public_listing=True,
    )
    member.contacts.create(
        role=ContactRole.COMMUNICATIONS, email="com@sind.example.org", language="en"
    )
    return member


def actor(kind, member, request):
    if kind == "secretariat":
        return services.Actor(user=request.getfixturevalue("reviewer"))
    if kind == "committee":
        return services.Actor(user=request.getfixturevalue("approver"))
    if kind == "focal_point":
        return services.Actor(contact=member.contacts.get(role=ContactRole.FOCAL_POINT))
    if kind == "communications":
        return services.Actor(contact=member.contacts.get(role=ContactRole.COMMUNICATIONS))
    if kind == "other_member":
        other = factories.member()
        return services.Actor(contact=other.contacts.get())
    raise AssertionError(kind)


def put_in(member, state, request):
    secretariat = services.Actor(user=request.getfixturevalue("reviewer"))
    if state == "suspended":
        services.member_suspend(organisation=member, by=secretariat, reason="Revisión")
    elif state == "ended":
        services.member_end(organisation=member, by=secretariat, reason="Cierre")
    return Organisation.objects.get(pk=member.pk)


SERVICES = {
    "suspend": services.member_suspend,
    "restore": services.member_restore,
    "end": services.member_end,
}
# (step, from state): the actors allowed; every other actor is refused.
ALLOWED = {
    ("suspend", "active"): {"secretariat"},
    ("restore", "suspended"): {"secretariat"},
    ("end", "active"): {"secretariat", "focal_point"},
}
TARGET = {"suspend": "suspended", "restore": "active", "end": "ended"}
EVENT = {"suspend": "member_suspended", "restore": "member_restored", "end": "member_ended"}
ACTORS = ["secretariat", "committee", "focal_point", "communications", "other_member"]


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize(("step", "state"), list(ALLOWED))
def test_each_transition_by_each_actor(step, state, who, member, request):
    member = put_in(member, state, request)
    by = actor(who, member, request)
    emails_before = OutboxMessage.objects.count()
    if who in ALLOWED[(step, state)]:
        done = SERVICES[step](organisation=member, by=by, reason="Motivo dado")
        assert done.membership_status == TARGET[step]
        assert Organisation.objects.get(pk=member.pk).membership_status == TARGET[step]
        change = MemberChange.objects.filter(organisation=member, action=step).get()
        assert change.changes == {"membership_status": [state, TARGET[step]]}
        assert change.note == "Motivo dado"
        assert (change.by_user, change.by_contact) == (
            by.user,
            by.contact.email if by.contact else "",
        )
        log = StateLog.objects.for_(member).order_by("-pk").first()
        assert (log.source_state, log.state, log.by) == (state, TARGET[step], by.user)
        mail = OutboxMessage.objects.filter(event=EVENT[step], audience="member").get()
        assert (mail.recipient, mail.language) == ("focal@sind.example.org", "fr")
    else:
        with pytest.raises(NotPermitted):
            SERVICES[step](organisation=member, by=by, reason="Motivo dado")
        assert Organisation.objects.get(pk=member.pk).membership_status == state
        assert not MemberChange.objects.filter(organisation=member, action=step).exists()
        assert OutboxMessage.objects.count() == emails_before


WRONG_STATE = [
    ("suspend", "suspended"),
    ("suspend", "ended"),
    ("restore", "active"),
    ("restore", "ended"),
    ("end", "suspended"),
    ("end", "ended"),
]


@pytest.mark.parametrize(("step", "state"), WRONG_STATE)
def test_a_step_the_state_does_not_allow_is_refused_for_the_secretariat(
    step, state, member, request, reviewer
):
    member = put_in(member, state, request)
    with pytest.raises(TransitionNotAllowed):
        SERVICES[step](organisation=member, by=services.Actor(user=reviewer), reason="Motivo")
    assert Organisation.objects.get(pk=member.pk).membership_status == state


@pytest.mark.parametrize("step", ["suspend", "end"])
def test_the_secretariat_must_give_a_reason(step, member, reviewer):
    with pytest.raises(DomainError):
        SERVICES[step](organisation=member, by=services.Actor(user=reviewer), reason="  ")
    assert Organisation.objects.get(pk=member.pk).membership_status == "active"


def test_a_suspended_or_ended_member_leaves_the_directory_and_the_invitations(
    client, member, request
):
    assert member in selectors.directory_members()
    for state in ("suspended",):
        member = put_in(member, state, request)
        assert member not in selectors.directory_members()
        assert member not in selectors.members_to_invite()
        assert client.get(reverse("member_detail", args=[member.pk])).status_code == 404
    services.member_restore(
        organisation=member, by=services.Actor(user=request.getfixturevalue("reviewer"))
    )
    assert member in selectors.directory_members()
    member = put_in(member, "ended", request)
    assert member not in selectors.directory_members()
    assert member not in selectors.members_to_invite()
    assert member in selectors.members_all()  # its history stays
    assert MemberChange.objects.filter(organisation=member).count() == 3


def test_an_ended_member_nominations_are_withdrawn_with_notice(member, request, reviewer):
    call = factories.call()
    made = factories.nomination_in_state("awaiting_consent", call=call, nominator=member)
    of_its_people = factories.nomination_in_state(
        "submitted", call=call, nominee_organisation=member
    )
    other = factories.nomination_in_state("awaiting_consent", call=call)
    services.member_end(
        organisation=member,
        by=services.Actor(contact=member.contacts.get(role=ContactRole.FOCAL_POINT)),
        reason="Nos retiramos",
    )
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert statuses[made.pk] == statuses[of_its_people.pk] == "withdrawn"
    assert statuses[other.pk] == "awaiting_consent"
    withdrawn = OutboxMessage.objects.filter(event="nomination_withdrawn")
    assert {m.object_id for m in withdrawn} == {made.pk, of_its_people.pk}
    assert withdrawn.filter(audience="nominee").count() == 2
    ended = OutboxMessage.objects.filter(event="member_ended")
    assert set(ended.values_list("audience", flat=True)) == {"member", "Secretariat"}
    member = Organisation.objects.get(pk=member.pk)
    assert member.end_reason == "Nos retiramos" and member.ended_at is not None


def test_the_focal_point_ends_the_membership_through_its_link(client, member):
    from applications import links

    focal = member.contacts.get(role=ContactRole.FOCAL_POINT)
    token = links.member_token(focal)
    refused = client.post(reverse("member_end", args=[token]), {"reason": "Cierre"})
    assert refused.status_code == 400  # the confirmation box was not ticked
    assert Organisation.objects.get(pk=member.pk).membership_status == "active"
    response = client.post(
        reverse("member_end", args=[token]),
        {"reason": "Cierre de la organización", "confirm": "on"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=member.pk).membership_status == MembershipStatus.ENDED
    page = client.get(reverse("member_self_service", args=[token]))
    assert page.status_code == 200 and "has ended" in page.content.decode()


def test_a_communications_contact_cannot_end_the_membership_through_its_link(client, member):
    from applications import links

    com = member.contacts.get(role=ContactRole.COMMUNICATIONS)
    response = client.post(
        reverse("member_end", args=[links.member_token(com)]),
        {"reason": "Cierre", "confirm": "on"},
    )
    assert response.status_code == 400
    assert "focal point" in response.content.decode()
    assert Organisation.objects.get(pk=member.pk).membership_status == "active"


def test_the_staff_page_offers_the_steps_of_the_state_and_takes_them(client, member, reviewer):
    client.force_login(reviewer)
    url = reverse("review:member_detail", args=[member.pk])
    html = client.get(url).content.decode()
    assert "Suspend the membership" in html and "End the membership" in html
    assert "Restore the membership" not in html
    response = client.post(
        reverse("review:member_step", args=[member.pk, "suspend"]), {"reason": "Revisión"}
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Restore the membership" in html and "Suspend the membership" not in html
    client.post(reverse("review:member_step", args=[member.pk, "restore"]))
    assert Organisation.objects.get(pk=member.pk).membership_status == "active"


def test_a_committee_approver_sees_the_page_but_cannot_take_a_step(client, member, approver):
    client.force_login(approver)
    response = client.post(
        reverse("review:member_step", args=[member.pk, "suspend"]),
        {"reason": "Revisión"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Your role does not allow this step." in response.content.decode()
    assert Organisation.objects.get(pk=member.pk).membership_status == "active"


def test_an_ended_member_contacts_are_erased_after_the_retention_period(member, reviewer, settings):
    import datetime
    import io

    import time_machine
    from django.core.management import call_command

    settings.RETENTION_MONTHS = 12
    ended_on = datetime.datetime(2025, 5, 31, 9, tzinfo=datetime.UTC)
    with time_machine.travel(ended_on, tick=False):
        services.member_end(organisation=member, by=services.Actor(user=reviewer), reason="Fin")
    out = io.StringIO()
    with time_machine.travel(datetime.datetime(2026, 5, 30, tzinfo=datetime.UTC)):
        call_command("retention_purge", stdout=out)
    assert "0 ended members' contacts erased" in out.getvalue()
    assert member.contacts.count() == 2
    with time_machine.travel(datetime.datetime(2026, 5, 31, 10, tzinfo=datetime.UTC)):
        out = io.StringIO()
        call_command("retention_purge", "--dry-run", stdout=out)
        assert f"member {member.pk}: ended 2025-05-31" in out.getvalue()
        assert member.contacts.count() == 2
        out = io.StringIO()
        call_command("retention_purge", stdout=out)
    assert "1 ended members' contacts erased" in out.getvalue()
    member = Organisation.objects.get(pk=member.pk)
    assert not member.contacts.exists()
    assert member.contact_email.endswith("@invalid.example")
    assert member.membership_status == "ended" and member.name  # its history stays
    assert MemberChange.objects.filter(organisation=member, action="end").exists()
    assert not MemberChange.objects.filter(by_contact__contains="@sind").exists()
