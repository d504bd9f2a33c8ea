"""Demo users, letters in every state and an open call for nominations, for trying
the application locally."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from applications import uploads
from applications.choices import (
    Constituency,
    NominationAttachmentKind,
    PriorityArea,
    Recommendation,
)
from applications.letters import services as letters
from applications.links import nominate_url
from applications.models import Call, Letter, Organisation
from applications.nominations import services as nominations
from applications.roles import COMMITTEE, SECRETARIAT, SECRETARIAT_LEAD
from review.selectors import letter_open_task
from review.task_actions import task_complete

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
        # Sofía also leads the Secretariat: she owns the texts, settings and questions.
        users["reviewer"].groups.add(Group.objects.get(name=SECRETARIAT_LEAD))
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

        with transaction.atomic():
            link = self._call(users)

        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (username / password):"))
        for username, password, group, _ in USERS:
            self.stdout.write(f"  {group:<12} {username} / {password}")
        self.stdout.write("  Admin        admin / admin-demo")
        self.stdout.write(
            "reviewer is also a Secretariat lead: texts, settings and extra questions at "
            "/staff/letters/texts/"
        )
        if link:
            self.stdout.write(f"Nomination link of the demo member Ciudad Cuidadora: {link}")

    def _call(self, users):
        """An open call with seats, two more members and a nomination to screen."""
        title = "Call for nominations to the Management Committee 2027"
        call = Call.objects.filter(title_en=title).first()
        if call is None:
            now = timezone.now()
            call = nominations.call_save(
                data={
                    "title_es": "Convocatoria al Comité de Gestión 2027",
                    "title_en": title,
                    "title_fr": "Appel à candidatures au Comité de gestion 2027",
                    "description_es": "La Alianza renueva su Comité de Gestión. Cada miembro "
                    "puede postular a una persona de una organización miembro.",
                    "description_en": "The Alliance renews its Management Committee. Each "
                    "member may nominate a person from a member organisation.",
                    "description_fr": "L'Alliance renouvelle son Comité de gestion. Chaque "
                    "membre peut proposer une personne d'une organisation membre.",
                    "time_zone": "America/Mexico_City",
                    "opens_at": now - datetime.timedelta(days=1),
                    "closes_at": now + datetime.timedelta(days=30),
                },
                seats={
                    Constituency.CIVIL_SOCIETY: 2,
                    Constituency.SUBNATIONAL_GOVERNMENT: 1,
                    Constituency.ACADEMIA: 1,
                },
                by=users["reviewer"],
            )
        members = {}
        for name, constituency, country, language in [
            ("Red de Cuidados del Sur", Constituency.CIVIL_SOCIETY, "CL", "es"),
            ("Université du Soin", Constituency.ACADEMIA, "FR", "fr"),
        ]:
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
            members[name], _ = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "constituency": constituency,
                    "country": country,
                    "language": language,
                    "website": f"https://{slug}.example.org",
                    "contact_email": f"contact@{slug}.example.org",
                    "public_listing": True,
                    "member_since": datetime.date(2023, 5, 1),
                },
            )
        nominator = Organisation.objects.filter(name="Ciudad Cuidadora").first()
        if nominator is None or nominator.member_since is None:
            return ""
        if not call.nominations.exists():
            pdf = (
                b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
            )
            files = [
                nominations.NewFile(
                    kind, uploads.check_upload(SimpleUploadedFile(f"{kind}.pdf", pdf))
                )
                for kind in (NominationAttachmentKind.CV, NominationAttachmentKind.ENDORSEMENT)
            ]
            nominee_org = members["Red de Cuidados del Sur"]
            nomination = nominations.nomination_submit(
                call=call,
                nominated_by=nominator,
                data={
                    "nominee_name": "Valentina Rojas",
                    "nominee_email": "valentina@redcuidadosdelsur.example.org",
                    "nominee_position": "Directora ejecutiva",
                    "nominee_organisation": nominee_org,
                    "nominee_language": "es",
                    "constituency": nominee_org.constituency,
                    "motivation": "Twenty years building community care networks in Chile.",
                },
                files=files,
            )
            nominations.nomination_consent(nomination=nomination, accept=True)
        return nominate_url(call, nominator)

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
