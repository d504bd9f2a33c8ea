"""``manage.py worker``: django-tasks-db's ``db_worker`` that outlives a database restart.

``db_worker`` exits on the first database error it does not expect, e.g. while
PostgreSQL restarts, and queued work then waits until something restarts it.
This command runs the same worker and, when the database goes away, waits (1 s,
doubling up to 30 s) and starts it again. It takes ``db_worker``'s options.
A task that was running when the database went away stays marked running; the
emails it was sending are re-queued by ``outbox_flush``.
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger(__name__)

MAX_DELAY = 30


class Command(db_worker.Command):
    help = "Run the task worker, restarting it whenever the database becomes reachable again."

    def handle(self, *args, **options):
        delay = 1
        while True:
            started = time.monotonic()
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as exc:
                if time.monotonic() - started > 60:
                    delay = 1  # it ran for a while: this is a new outage
                logger.warning("database unavailable (%s); worker restarts in %d s", exc, delay)
                for connection in connections.all(initialized_only=True):
                    connection.close_if_unusable_or_obsolete()
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
