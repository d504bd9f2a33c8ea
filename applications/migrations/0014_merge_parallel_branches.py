"""Joins the migrations that drafts, onboarding documents and replies, member contacts and
virus scans added side by side; it changes nothing itself."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0013_i13b_replies"),
        ("applications", "0012_i14_member_contacts"),
        ("applications", "0012_i16_virus_scans"),
    ]

    operations = []
