"""The staff workspace's navigation, defined once.

Each entry is (label, URL name, who sees it). ``who`` is a permission codename, or
``SUPERUSER`` for Django's admin. Another staff area adds one line to NAVIGATION
(for instance the members' pages: ``(_("Members"), "review:member_list",
"applications.view_organisation")``); every staff page picks it up through
``review/base.html``.
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

SUPERUSER = "superuser"
ANY_STAFF = None

NAVIGATION = [
    (_("My tasks"), "review:task_inbox", ANY_STAFF),
    (_("Letters of interest"), "review:letter_list", "applications.view_letter"),
    (_("Nominations"), "review:nomination_list", "applications.view_nomination"),
    (_("Calls for nominations"), "review:call_list", "applications.view_nomination"),
    (_("Members"), "review:member_list", "applications.view_letter"),
    (_("Unmatched replies"), "review:unmatched_replies", "applications.view_letter"),
    (_("Dashboard"), "review:dashboard", "applications.view_letter"),
    (_("Texts"), "review:text_list", "applications.edit_texts"),
    (_("Settings"), "review:settings", "applications.edit_texts"),
    (_("Extra questions"), "review:question_list", "applications.edit_texts"),
    (_("Email preferences"), "review:email_preference", "applications.view_letter"),
    (_("Administration"), "admin:index", SUPERUSER),
]


def navigation_for(user) -> list[tuple[str, str]]:
    """(label, url) of every entry ``user`` may open, in NAVIGATION's order."""
    if not user.is_authenticated:
        return []
    entries = []
    for label, url_name, who in NAVIGATION:
        if who == SUPERUSER:
            allowed = user.is_superuser
        elif who is ANY_STAFF:
            allowed = True
        else:
            allowed = user.has_perm(who)
        if not allowed:
            continue
        try:
            entries.append((label, reverse(url_name)))
        except NoReverseMatch:  # an area not installed in this deployment
            continue
    return entries


@register.inclusion_tag("review/_staff_nav.html", takes_context=True)
def staff_navigation(context):
    request = context["request"]
    path = request.path
    entries = navigation_for(request.user)
    # The current entry is the longest URL that the page's path starts with.
    current = max((url for _label, url in entries if path.startswith(url)), key=len, default="")
    return {
        "entries": [(label, url, url == current) for label, url in entries],
        "request": request,
        "user": request.user,
    }
