"""An index for viewflow's own queue of a flow (``/review/letter/queue/``, and the
nominations'), which lists the free tasks newest first: ``status = 'NEW' ORDER BY
created DESC LIMIT 25``. With only viewflow's index on ``status``, SQLite and
PostgreSQL read every open task and sorted them for 25 (5 ms at 10,000 open tasks,
growing with them); through ``(status, created)`` they walk 25 index entries.
viewflow owns the table, so the index is plain SQL, as in 0006 and 0008."""

from django.db import migrations

INDEX = 'CREATE INDEX "review_task_status_created_idx" ON "viewflow_task" ("status", "created")'


class Migration(migrations.Migration):
    dependencies = [("review", "0009_merge_i12_i13_i14_i17")]

    operations = [
        migrations.RunSQL(
            INDEX, 'DROP INDEX IF EXISTS "review_task_status_created_idx"', elidable=False
        ),
    ]
