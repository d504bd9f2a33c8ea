from django.core.management.base import BaseCommand

from applications.letters.drafts import drafts_expire
from applications.letters.retention import anonymise_due
from applications.tasks import schedule_retention
from applications.uploads import orphan_files_delete


class Command(BaseCommand):
    help = (
        "Anonymise rejected and withdrawn letters closed more than RETENTION_MONTHS ago "
        "and delete their attachments, and delete files that failed submissions left "
        "behind, and remind and delete saved letters (DRAFT_EXPIRY_DAYS); with --schedule, "
        "make the worker do it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Queue the daily job.")

    def handle(self, *args, schedule, **options):
        if schedule:
            queued = schedule_retention()
            self.stdout.write("retention scheduled" if queued else "retention already scheduled")
            return
        self.stdout.write(f"{anonymise_due()} letters anonymised")
        self.stdout.write(f"{orphan_files_delete()} orphan files deleted")
        self.stdout.write(f"{drafts_expire()} saved letters reminded or deleted")
