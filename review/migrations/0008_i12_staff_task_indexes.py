"""Two indexes for the staff's task list (review/selectors.py:StaffTasks), which
reads a user's own open tasks, then the free ones, each oldest first, and counts
both. Each index leads with what its part filters on, then the order it is read in
(``created``, ``id``), then every other column the list filters on: a page walks 25
index entries and a count reads the index alone, with 100 or 10,000 open tasks.
viewflow owns the table, so the indexes are plain SQL (the same on SQLite and
PostgreSQL), as in 0006."""

from django.db import migrations

FILTERED = '"status", "flow_task_type", "flow_task", "process_id"'
MINE = (
    'CREATE INDEX "review_my_tasks_idx" ON "viewflow_task" '
    f'("owner_id", "created", "id", {FILTERED})'
)
FREE = (
    'CREATE INDEX "review_free_tasks_idx" ON "viewflow_task" '
    '("status", "owner_id", "created", "id", "flow_task_type", "owner_permission", '
    '"flow_task", "process_id")'
)


class Migration(migrations.Migration):
    dependencies = [("review", "0007_secretariat_lead_group")]

    operations = [
        migrations.RunSQL(MINE, 'DROP INDEX IF EXISTS "review_my_tasks_idx"', elidable=False),
        migrations.RunSQL(FREE, 'DROP INDEX IF EXISTS "review_free_tasks_idx"', elidable=False),
    ]
