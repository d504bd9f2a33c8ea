"""Who an email goes to: the audiences of ``services.EVENTS``, and which of them are
people outside the staff (their emails carry the Secretariat's address as Reply-To and
the public footer). Its own module, so that ``texts`` reads the same list as ``services``."""

APPLICANT = "applicant"
NEW_MEMBER = "new_member"
NOMINATOR = "nominator"  # the contact of the member organisation that nominated
NOMINEE = "nominee"
MEMBERS = "members"  # every member organisation's contact, each with its own link
MEMBER = "member"  # the contacts of one member whose role fits (members.selectors.ROUTES)
CONTACT = "contact"  # one member contact, about its own link
NEW_ADDRESS = "new_address"  # a contact's new address, to confirm it
STAFF = "staff"  # named users: reminders and escalations
# Whoever holds the open task of the letter or nomination a reply landed on; the
# Secretariat's staff when nobody holds it.
ASSIGNEE = "assignee"
# People outside the staff: their emails carry the Secretariat's address as Reply-To.
PUBLIC_AUDIENCES = (
    APPLICANT,
    NEW_MEMBER,
    NOMINATOR,
    NOMINEE,
    MEMBERS,
    MEMBER,
    CONTACT,
    NEW_ADDRESS,
)
