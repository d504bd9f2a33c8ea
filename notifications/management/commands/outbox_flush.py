"""Re-queue outbox rows whose send task was lost (a crash between commit and
enqueue, a worker killed mid-send). Safe to run from cron every few minutes."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import enqueue_send


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
        now = timezone.now()
        with transaction.atomic():
            stuck = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
                status=OutboxStatus.SENDING, created_at__lt=now - timedelta(minutes=stuck_minutes)
            )
            revived = stuck.update(status=OutboxStatus.PENDING)
            due = list(
                OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .values_list("pk", flat=True)
            )
            for pk in due:
                transaction.on_commit(lambda pk=pk: enqueue_send(pk))
        self.stdout.write(f"queued {len(due)} emails ({revived} were stuck while sending)")
