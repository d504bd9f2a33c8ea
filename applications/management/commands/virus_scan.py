from django.core.management.base import BaseCommand

from applications.antivirus import enabled, scan_pending
from applications.tasks import schedule_virus_scan


class Command(BaseCommand):
    help = (
        "Scan with clamd (CLAMD_ADDRESS) the stored files whose virus scan is not done; "
        "with --schedule, make the worker do it every five minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Queue the periodic job.")

    def handle(self, *args, schedule, **options):
        if schedule:
            queued = schedule_virus_scan()
            self.stdout.write("virus scan scheduled" if queued else "virus scan already scheduled")
            return
        if not enabled():
            self.stdout.write("CLAMD_ADDRESS is not set: nothing is scanned")
            return
        counts = scan_pending()
        self.stdout.write(
            f"{counts['clean']} clean, {counts['infected']} quarantined, "
            f"{counts['pending']} still pending"
        )
