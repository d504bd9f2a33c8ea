"""Names of the staff groups. The migration review/0002_staff_groups creates them
with their permissions (frozen there, as migrations must be)."""

SECRETARIAT = "Secretariat"
COMMITTEE = "Committee"
# Edits the texts, settings and extra questions (permission applications.edit_texts);
# made by the migration review/0007_secretariat_lead_group. A lead is usually in the
# Secretariat group too.
SECRETARIAT_LEAD = "Secretariat lead"
