from django.core.management.base import BaseCommand

from config.periodic import enqueue_unless_waiting
from notifications.services import digests_send
from notifications.tasks import daily_digests


class Command(BaseCommand):
    help = (
        "Send the daily digests of staff who chose them, or with --schedule make the "
        "task worker do it every day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Queue the daily job.")

    def handle(self, *args, schedule, **options):
        if schedule:
            queued = enqueue_unless_waiting(daily_digests)
            self.stdout.write("digests scheduled" if queued else "digests already scheduled")
            return
        self.stdout.write(f"{digests_send()} digests queued")
