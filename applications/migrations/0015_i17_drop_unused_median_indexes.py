"""Drop the two SQLite expression indexes of 0010_dashboard_indexes.

They were to keep the days from submission to decision (and to onboarding) in
order for the all-time medians, but SQLite's planner never chose them (EXPLAIN
QUERY PLAN showed a temporary B-tree sort over letter_decided_idx), and the
dashboard now takes its medians over the last 12 months only, reading the
window's letters through letter_decided_idx and letter_onboarded_idx
(``decided_at >= …``, covering ``submitted_at``). Every save of a letter paid for
them; nothing read them.
"""

from django.db import migrations

INDEXES = {
    "letter_decision_days_idx": "decided_at",
    "letter_onboarding_days_idx": "onboarded_at",
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, end in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "applications_letter" '
            f'((julianday("{end}") - julianday("submitted_at"))) WHERE "{end}" IS NOT NULL'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0014_merge_parallel_branches"),
    ]

    operations = [migrations.RunPython(drop, create, elidable=False)]
