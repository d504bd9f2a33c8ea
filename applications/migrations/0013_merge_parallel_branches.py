"""Joins the migrations that drafts and onboarding documents, member contacts and
virus scans added side by side; it changes nothing itself."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0012_i13_drafts_documents"),
        ("applications", "0012_i14_member_contacts"),
        ("applications", "0012_i16_virus_scans"),
    ]

    operations = []
