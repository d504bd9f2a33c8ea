"""An index for the dashboard's overdue count (review/dashboard.py:overdue_count),
which reads only the tasks still open: led by ``status``, it finds them without
reading the closed ones, and it holds every column the count needs, so no task
row is read. viewflow owns the table, so the index is plain SQL (the same on
SQLite and PostgreSQL) rather than a model's Meta."""

from django.db import migrations

CREATE = (
    'CREATE INDEX "review_open_task_idx" ON "viewflow_task" '
    '("status", "flow_task", "created", "process_id")'
)
DROP = 'DROP INDEX IF EXISTS "review_open_task_idx"'


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0005_nomination_permissions"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP, elidable=False)]
