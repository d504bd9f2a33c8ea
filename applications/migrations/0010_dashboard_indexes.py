"""Indexes for the staff dashboard (review/dashboard.py).

The grouped counts read the constituency and country indexes instead of every
letter's row; the stamp under which the figures are kept (the number of letters
and their latest ``updated_at``) reads the end of the updated_at index; the medians' counts and PostgreSQL's ``percentile_cont`` read
(decided_at, submitted_at) and (onboarded_at, submitted_at). SQLite has no
percentile: its medians take the middle row of the days from submission to
decision (or onboarding) in order, which these two expression indexes keep
sorted, so the database walks an index instead of sorting every decided letter.
"""

from django.db import migrations, models

# SQLite only: julianday() does not exist elsewhere. The expressions are the
# ones review.dashboard.median_days orders by.
SQLITE_INDEXES = {
    "letter_decision_days_idx": "decided_at",
    "letter_onboarding_days_idx": "onboarded_at",
}


def create_sqlite_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, end in SQLITE_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "applications_letter" '
            f'((julianday("{end}") - julianday("submitted_at"))) WHERE "{end}" IS NOT NULL'
        )


def drop_sqlite_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in SQLITE_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0009_orphan_files"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="letter",
            index=models.Index(fields=["constituency"], name="letter_constituency_idx"),
        ),
        migrations.AddIndex(
            model_name="letter",
            index=models.Index(fields=["country"], name="letter_country_idx"),
        ),
        migrations.AddIndex(
            model_name="letter",
            index=models.Index(fields=["decided_at", "submitted_at"], name="letter_decided_idx"),
        ),
        migrations.AddIndex(
            model_name="letter",
            index=models.Index(
                fields=["onboarded_at", "submitted_at"], name="letter_onboarded_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="letter",
            index=models.Index(fields=["updated_at"], name="letter_updated_idx"),
        ),
        migrations.RunPython(create_sqlite_indexes, drop_sqlite_indexes, elidable=False),
    ]
