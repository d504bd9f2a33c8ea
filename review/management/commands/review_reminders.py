from django.core.management.base import BaseCommand

from review.reminders import deadline_reminders_send
from review.tasks import schedule_deadline_reminders


class Command(BaseCommand):
    help = (
        "Send the reminders for overdue review tasks now, or with --schedule make the "
        "task worker do it every hour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the hourly reminder job on the worker (idempotent).",
        )

    def handle(self, *args, schedule, **options):
        if schedule:
            queued = schedule_deadline_reminders()
            self.stdout.write("reminders scheduled" if queued else "reminders already scheduled")
            return
        self.stdout.write(f"{deadline_reminders_send()} reminder emails queued")
