"""Demo users and letters in every state, for trying the application locally."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from applications import services as letters
from applications.choices import Constituency, PriorityArea, Recommendation
from applications.models import Letter
from review.roles import COMMITTEE, SECRETARIAT
from review.services import letter_open_task, task_complete

USERS = [
    # username, password, group, first name
    ("reviewer", "reviewer-demo", SECRETARIAT, "Sofía"),
    ("approver", "approver-demo", COMMITTEE, "Amadou"),
    ("approver2", "approver2-demo", COMMITTEE, "Claire"),
]

LETTERS = [
    ("Red de Cuidados Comunitarios", Constituency.GRASSROOTS_WOMEN, "MX", "es", "submitted"),
    ("Care Workers United", Constituency.TRADE_UNION, "KE", "en", "reviewed"),
    ("Fondation Soins Partagés", Constituency.PHILANTHROPY, "SN", "fr", "changes_requested"),
    ("Instituto de Estudios del Cuidado", Constituency.ACADEMIA, "AR", "es", "approved"),
    ("Ciudad Cuidadora", Constituency.SUBNATIONAL_GOVERNMENT, "CO", "es", "onboarded"),
]


class Command(BaseCommand):
    help = "Create demo reviewer and approver logins and letters in different states."

    def handle(self, *args, **options):
        User = get_user_model()
        users = {}
        for username, password, group, first_name in USERS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.org", "first_name": first_name},
            )
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            users[username] = user
        admin, _ = User.objects.get_or_create(
            username="admin", defaults={"email": "admin@example.org", "is_staff": True}
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password("admin-demo")
        admin.save()

        for name, constituency, country, language, state in LETTERS:
            if Letter.objects.filter(organisation_name=name).exists():
                continue
            with transaction.atomic():
                self._make(name, constituency, country, language, state, users)

        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (username / password):"))
        for username, password, group, _ in USERS:
            self.stdout.write(f"  {group:<12} {username} / {password}")
        self.stdout.write("  Admin        admin / admin-demo")

    def _make(self, name, constituency, country, language, state, users):
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        letter = letters.letter_submit(
            data={
                "organisation_name": name,
                "acronym": "",
                "constituency": constituency,
                "country": country,
                "website": f"https://{slug}.example.org",
                "contact_name": "María Pérez",
                "contact_role": "Directora",
                "contact_email": f"contact@{slug}.example.org",
                "language": language,
                "care_work": "We run community care centres and advocate for care policies.",
                "motivation": "We want to share our experience and learn from other members.",
                "priority_areas": [PriorityArea.EXPERIENCE_EXCHANGE, PriorityArea.KNOWLEDGE_DATA],
                "consent_privacy": True,
                "consent_public_listing": True,
            }
        )
        reviewer, approver = users["reviewer"], users["approver"]
        if state == "submitted":
            return
        task = letter_open_task(letter=letter, node_name="screen")
        if state == "changes_requested":
            task_complete(
                task=task,
                user=reviewer,
                action=lambda: letters.letter_request_changes(
                    letter=letter,
                    by=reviewer,
                    message="Please describe your current care programmes in more detail.",
                ),
            )
            return
        task_complete(
            task=task,
            user=reviewer,
            action=lambda: letters.letter_screen(
                letter=letter, by=reviewer, recommendation=Recommendation.APPROVE
            ),
        )
        if state == "reviewed":
            return
        task = letter_open_task(letter=letter, node_name="decide")
        task_complete(
            task=task,
            user=approver,
            action=lambda: letters.letter_decide(letter=letter, by=approver, approve=True),
        )
        if state == "approved":
            return
        task = letter_open_task(letter=letter, node_name="onboard")
        task_complete(
            task=task,
            user=reviewer,
            action=lambda: letters.letter_onboard(letter=letter, by=reviewer),
        )
