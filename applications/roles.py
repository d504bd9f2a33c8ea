"""Names of the staff groups. The migration review/0002_staff_groups creates them
with their permissions (frozen there, as migrations must be)."""

SECRETARIAT = "Secretariat"
COMMITTEE = "Committee"
