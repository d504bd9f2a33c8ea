"""The Secretariat's follow-up task of a yearly re-confirmation unanswered for 60
days (a viewflow process per member and round), and its permission for the
Secretariat group."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUP_PERMISSIONS = {"Secretariat": ["review.follow_up_reconfirmation"]}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; this one needs it now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for perms in GROUP_PERMISSIONS.values():
        for perm in perms:
            app_label, codename = perm.split(".")
            Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0014_merge_parallel_branches'),
        ('review', '0007_secretariat_lead_group'),
        ('viewflow', '0015_task_scheduled'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReconfirmationProcess',
            fields=[
                ('process_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to='viewflow.process')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reconfirmation_follow_ups', to='applications.organisation')),
            ],
            options={
                'verbose_name': 're-confirmation follow-up',
                'verbose_name_plural': 're-confirmation follow-ups',
                'permissions': [('follow_up_reconfirmation', 'Can follow up unanswered yearly re-confirmations (secretariat)')],
            },
            bases=('viewflow.process',),
        ),
        migrations.RunPython(grant, revoke),
    ]
