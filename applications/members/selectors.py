"""Reads on member organisations: the member roll and the public directory."""

from django.db.models import Count, Max, Q

from applications.choices import Constituency

from .models import Organisation


def members():
    """Organisations that are members of the Alliance (onboarded or imported)."""
    return Organisation.objects.filter(member_since__isnull=False)


def members_to_invite():
    return members().exclude(contact_email="").order_by("pk")


def member_get(pk) -> Organisation | None:
    return members().filter(pk=pk).first()


def directory_counted() -> str:
    """A directory freshness stamp computed from the organisations themselves:
    the fallback when the shared cache's table is missing (``directory_cache.stamp``)."""
    found = Organisation.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{found['n']}|{found['last']}"


def directory_members():
    """Member organisations that agreed to be listed, for the public directory."""
    return Organisation.objects.filter(public_listing=True, member_since__isnull=False).order_by(
        "name", "pk"
    )


def directory_search(*, query="", constituency="", region="", country="", priority_area=""):
    members = directory_members()
    if query:
        members = members.filter(Q(name__icontains=query) | Q(acronym__icontains=query))
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


def directory_country_codes() -> list[str]:
    return list(directory_members().order_by().values_list("country", flat=True).distinct())


def directory_counts() -> list[tuple[str, int]]:
    """Listed members per constituency, in the order of the constituency list."""
    counts = dict(
        directory_members()
        .order_by()
        .values_list("constituency")
        .annotate(total=Count("pk"))
        .values_list("constituency", "total")
    )
    return [(label, counts.get(key, 0)) for key, label in Constituency.choices]
