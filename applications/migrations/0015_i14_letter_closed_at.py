"""Letters keep the day they closed (rejected or withdrawn), the retention clock,
which a later save no longer restarts as ``updated_at`` did."""

from django.db import migrations, models

CLOSED = ["rejected", "withdrawn"]


def closed_letters_closed_at(apps, schema_editor):
    """Letters closed before the field existed: the time of their transition to
    rejected or withdrawn in their history, else their last change."""
    Letter = apps.get_model("applications", "Letter")
    StateLog = apps.get_model("django_fsm_log", "StateLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="applications", model="letter").first()
    closing = {}
    if content_type is not None:
        logs = StateLog.objects.filter(content_type=content_type, state__in=CLOSED).order_by(
            "timestamp", "pk"
        )
        for object_id, timestamp in logs.values_list("object_id", "timestamp"):
            closing[int(object_id)] = timestamp  # the latest closing wins
    letters = Letter.objects.filter(status__in=CLOSED, closed_at__isnull=True)
    for letter in letters.only("pk", "updated_at").iterator():
        Letter.objects.filter(pk=letter.pk).update(
            closed_at=closing.get(letter.pk, letter.updated_at)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0014_merge_parallel_branches"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_fsm_log", "0004_auto_20190131_0341"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="closed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(closed_letters_closed_at, migrations.RunPython.noop),
    ]
