"""The columns of a member roll file, as the import reads them and the export writes them."""

from django.utils.translation import gettext_lazy as _lazy

COLUMNS = (
    "key",
    "name",
    "acronym",
    "constituency",
    "country",
    "website",
    "contact_email",
    "language",
    "priority_areas",
    "public_listing",
    "member_since",
    "contact_name",
    "contacts",
)

REQUIRED_COLUMNS = ("key", "name", "constituency", "country", "contact_email")
COLUMN_HELP = (
    ("key", _lazy("Stable id of the member in the old roll; a re-import updates it.")),
    ("name", _lazy("Organisation name.")),
    ("acronym", _lazy("Short name.")),
    (
        "constituency",
        _lazy("A constituency key (civil_society, trade_union…) or its English or Spanish name."),
    ),
    (
        "country",
        _lazy("Two-letter ISO code (MX, KE) or the name in English, Spanish or French."),
    ),
    ("website", _lazy("Web address; https:// is added if missing.")),
    ("contact_email", _lazy("E-mail address of the member's focal point.")),
    ("language", _lazy("es, en or fr (default es): the focal point's language.")),
    ("priority_areas", _lazy("Priority area keys separated by “;”.")),
    ("public_listing", _lazy("yes/no (sí, true/false, 1/0; default no).")),
    ("member_since", _lazy("Date the organisation joined, YYYY-MM-DD.")),
    ("contact_name", _lazy("Name of the focal point.")),
    (
        "contacts",
        _lazy(
            "The other contacts, separated by “;”, each as role|name|e-mail|language "
            "(roles: communications, committee_delegate)."
        ),
    ),
)

# The headings an export writes over these columns, in the staff member's language;
# the import reads them, in any of the three languages, as well as the keys above.
HEADINGS = {
    "key": _lazy("Key"),
    "name": _lazy("Name"),
    "acronym": _lazy("Acronym"),
    "constituency": _lazy("Constituency"),
    "country": _lazy("Country"),
    "website": _lazy("Website"),
    "contact_email": _lazy("Focal point's e-mail"),
    "language": _lazy("Focal point's language"),
    "priority_areas": _lazy("Priority areas"),
    "public_listing": _lazy("Listed in the public directory"),
    "member_since": _lazy("Member since"),
    "contact_name": _lazy("Focal point"),
    "contacts": _lazy("Other contacts"),
}


def heading(column: str):
    return HEADINGS[column]
