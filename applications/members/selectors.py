"""Reads on member organisations: the member roll and the public directory."""

from dataclasses import dataclass

from django.db.models import Count, F, Max, Prefetch, Q

from applications import matching
from applications.choices import Constituency

from .models import ContactRole, MemberChange, MemberContact, MembershipStatus, Organisation


def members_all():
    """Every organisation that is or was a member (suspended and ended ones too)."""
    return Organisation.objects.filter(member_since__isnull=False)


def members():
    """Organisations that are members of the Alliance in good standing (onboarded
    or imported, neither suspended nor ended): they nominate and are invited."""
    return members_all().filter(membership_status=MembershipStatus.ACTIVE)


def members_to_invite():
    return (
        members()
        .exclude(contact_email="")
        .prefetch_related(Prefetch("contacts", queryset=MemberContact.objects.order_by("pk")))
        .order_by("pk")
    )


# Which contacts hear of what, by the kind of email (the first word of its event):
# the focal point always; the others where their role fits.
ROUTES: dict[str, tuple[str, ...]] = {
    "call": (ContactRole.FOCAL_POINT,),
    "nomination": (ContactRole.FOCAL_POINT, ContactRole.COMMITTEE_DELEGATE),
    "member": (ContactRole.FOCAL_POINT,),
    "directory": (ContactRole.FOCAL_POINT, ContactRole.COMMUNICATIONS),
}


def member_recipients(member: Organisation, *, kind: str) -> list[MemberContact]:
    """The contacts of ``member`` that an email of ``kind`` goes to (``ROUTES``).

    A member without contacts rows (made by hand) gets its own address as an
    unsaved focal point, so no email to a member is ever lost.
    """
    roles = ROUTES[kind]
    contacts = [contact for contact in member.contacts.all() if contact.role in roles]
    if not any(contact.role == ContactRole.FOCAL_POINT for contact in contacts):
        if member.contact_email:
            contacts.insert(
                0,
                MemberContact(
                    organisation=member,
                    role=ContactRole.FOCAL_POINT,
                    email=member.contact_email,
                    language=member.language or "es",
                ),
            )
    seen, unique = set(), []
    for contact in contacts:
        if contact.email.lower() not in seen:
            seen.add(contact.email.lower())
            unique.append(contact)
    return unique


def member_contacts(member: Organisation):
    return member.contacts.order_by("role", "pk")


def member_contact_get(member: Organisation, pk) -> MemberContact | None:
    return member.contacts.filter(pk=pk).first()


def member_contact_by_link(*, member_pk: int, contact_pk: int) -> MemberContact | None:
    """The contact a member link names, of an organisation that is or was a member."""
    return (
        MemberContact.objects.filter(
            pk=contact_pk, organisation_id=member_pk, organisation__member_since__isnull=False
        )
        .select_related("organisation")
        .first()
    )


def member_contact_get_any(pk: int) -> MemberContact | None:
    return MemberContact.objects.filter(pk=pk).select_related("organisation").first()


def member_reconfirmation_due(member: Organisation) -> bool:
    """The yearly re-confirmation was asked and is not answered yet."""
    asked = member.reconfirmation_requested_at
    return bool(asked and (member.reconfirmed_at is None or member.reconfirmed_at < asked))


def member_history(member: Organisation):
    """Every audited change of the member, newest first."""
    return MemberChange.objects.filter(organisation=member).select_related("by_user")


def member_get(pk) -> Organisation | None:
    return members().filter(pk=pk).first()


def directory_counted() -> str:
    """A directory freshness stamp computed from the organisations themselves:
    the fallback when the shared cache's table is missing (``directory_cache.stamp``)."""
    found = Organisation.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{found['n']}|{found['last']}"


def directory_members():
    """Member organisations that agreed to be listed, for the public directory."""
    return Organisation.objects.filter(
        public_listing=True,
        member_since__isnull=False,
        membership_status=MembershipStatus.ACTIVE,
    ).order_by("sort_name", "pk")


def directory_search(*, query="", constituency="", region="", country="", priority_area=""):
    members = directory_members()
    if query:
        members = members.filter(search_text__contains=matching.fold(query))
    if constituency:
        members = members.filter(constituency=constituency)
    if region:
        members = members.filter(region=region)
    if country:
        members = members.filter(country=country)
    if priority_area:
        # JSON containment is not portable to SQLite; the list is small and
        # stored as a JSON array of keys, so match the quoted key.
        members = members.filter(priority_areas__icontains=f'"{priority_area}"')
    return members


@dataclass(frozen=True)
class DirectoryFacets:
    """What the directory shows whatever its filters: listed members per
    constituency (``counts``, in the order of the constituency list) and the
    countries they are in (``country_codes``, the country filter's choices)."""

    by_constituency: dict[str, int]
    country_codes: list[str]

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [(label, self.by_constituency.get(key, 0)) for key, label in Constituency.choices]

    def count_for(self, *, query="", constituency="", region="", country="", priority_area=""):
        """How many members ``directory_search`` finds with these filters, when the
        facets already say it (no filter, or a constituency alone); else None."""
        if query or region or country or priority_area:
            return None
        if constituency:
            return self.by_constituency.get(constituency, 0)
        return sum(self.by_constituency.values())


def directory_facets() -> DirectoryFacets:
    """The directory's counts and countries from one grouped read of the listed
    members (at 10,000 members each read of them is a scan: one, not three)."""
    by_constituency: dict[str, int] = {}
    countries = set()
    rows = (
        directory_members()
        .order_by()
        .values_list("constituency", "country")
        .annotate(total=Count("pk"))
        .values_list("constituency", "country", "total")
    )
    for constituency, country, total in rows:
        by_constituency[constituency] = by_constituency.get(constituency, 0) + total
        countries.add(str(country))
    return DirectoryFacets(by_constituency=by_constituency, country_codes=sorted(countries))


def members_for_staff(*, query="", status="", constituency="", follow_up=False):
    """Every member (suspended and ended ones too) for the staff list, by name."""
    rows = members_all().order_by("sort_name", "pk")
    if query:
        rows = rows.filter(
            Q(search_text__contains=matching.fold(query)) | Q(contacts__email__icontains=query)
        ).distinct()
    if status in MembershipStatus.values:
        rows = rows.filter(membership_status=status)
    if constituency in Constituency.values:
        rows = rows.filter(constituency=constituency)
    if follow_up:
        rows = rows.filter(reconfirmation_follow_up_at__isnull=False).exclude(
            reconfirmed_at__gte=F("reconfirmation_requested_at")
        )
    return rows
