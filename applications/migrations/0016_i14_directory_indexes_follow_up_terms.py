"""Committee terms on calls, the follow-up action in the member audit, and the public
directory's indexes for 10,000 members."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0015_i14_letter_closed_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='call',
            name='term_ends',
            field=models.DateField(blank=True, null=True, verbose_name='committee term ends'),
        ),
        migrations.AddField(
            model_name='call',
            name='term_starts',
            field=models.DateField(blank=True, null=True, verbose_name='committee term starts'),
        ),
        migrations.AlterField(
            model_name='memberchange',
            name='action',
            field=models.CharField(choices=[('profile', 'Directory profile changed'), ('contact_added', 'Contact added'), ('contact_changed', 'Contact changed'), ('contact_removed', 'Contact removed'), ('contact_email_confirmed', 'New address confirmed'), ('suspend', 'Membership suspended'), ('restore', 'Membership restored'), ('end', 'Membership ended'), ('reconfirmed', 'Details and commitment confirmed'), ('reconfirmation_followed_up', 'Unanswered yearly confirmation followed up')], max_length=40),
        ),
        migrations.AddIndex(
            model_name='organisation',
            index=models.Index(fields=['membership_status', 'sort_name'], name='org_directory_order_idx'),
        ),
        migrations.AddIndex(
            model_name='organisation',
            index=models.Index(fields=['membership_status', 'region', 'constituency', 'country', 'public_listing', 'member_since', 'search_text'], name='org_directory_facets_idx'),
        ),
    ]
