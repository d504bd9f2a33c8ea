from django.core.management.base import BaseCommand

from applications.drafts.services import drafts_expire
from applications.letters.retention import anonymise_due, letters_due_for_anonymisation
from applications.members.services import (
    ended_member_contacts_erase,
    ended_members_due_for_erasure,
)
from applications.nominations import retention as nominations
from applications.tasks import schedule_retention
from applications.uploads import orphan_files_delete


class Command(BaseCommand):
    help = (
        "Anonymise rejected and withdrawn letters and declined, lapsed, rejected and "
        "withdrawn nominations closed more than RETENTION_MONTHS calendar months ago, "
        "deleting their files, and delete files that failed submissions left behind, "
        "remind and delete saved letters "
        "(DRAFT_EXPIRY_DAYS), and erase the contacts of members that ended more "
        "than RETENTION_MONTHS ago; --dry-run lists what would be erased; with "
        "--schedule, make the worker do it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Queue the daily job.")
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be erased; erase nothing."
        )

    def handle(self, *args, schedule, dry_run, **options):
        if schedule:
            queued = schedule_retention()
            self.stdout.write("retention scheduled" if queued else "retention already scheduled")
            return
        if dry_run:
            letters = letters_due_for_anonymisation().order_by("pk")
            due = nominations.nominations_due_for_anonymisation().order_by("pk")
            for letter in letters:
                self.stdout.write(
                    f"letter {letter.pk}: {letter.status}, closed {letter.closed_at:%Y-%m-%d}"
                )
            for nomination in due:
                self.stdout.write(
                    f"nomination {nomination.pk}: {nomination.status}, "
                    f"closed {nomination.closed_at:%Y-%m-%d}"
                )
            ended = ended_members_due_for_erasure().order_by("pk")
            for member in ended:
                self.stdout.write(
                    f"member {member.pk}: ended {member.ended_at:%Y-%m-%d}, contacts to erase"
                )
            self.stdout.write(
                f"dry run: {letters.count()} letters and {due.count()} nominations would be "
                f"anonymised, the contacts of {ended.count()} ended members erased; "
                "nothing erased"
            )
            return
        self.stdout.write(f"{anonymise_due()} letters anonymised")
        self.stdout.write(f"{nominations.anonymise_due()} nominations anonymised")
        self.stdout.write(f"{ended_member_contacts_erase()} ended members' contacts erased")
        self.stdout.write(f"{orphan_files_delete()} orphan files deleted")
        self.stdout.write(f"{drafts_expire()} saved letters reminded or deleted")
