"""Re-queue outbox rows whose send task was lost (a crash between commit and
enqueue, a worker killed mid-send). Safe to run from cron every few minutes."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxMessage, OutboxStatus
from notifications.outbox import due_messages, enqueue_send


class Command(BaseCommand):
    help = "Queue again the emails that are waiting without a send task."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stuck-minutes",
            type=int,
            default=15,
            help="A row 'being sent' for longer than this is assumed lost and retried.",
        )

    def handle(self, *args, stuck_minutes, **options):
        # By when a worker took the row, not by the row's age: a retry of an old
        # row that a worker is sending right now is not stuck.
        cutoff = timezone.now() - timedelta(minutes=stuck_minutes)
        with transaction.atomic():
            revived = OutboxMessage.objects.filter(
                status=OutboxStatus.SENDING, claimed_at__lt=cutoff
            ).update(status=OutboxStatus.PENDING)
            due = list(due_messages().values_list("pk", flat=True))
            if due:
                transaction.on_commit(lambda: enqueue_send(*due))
        self.stdout.write(f"queued {len(due)} emails ({revived} were stuck while sending)")
