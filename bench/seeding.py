"""Bulk seeding shared by bench/inbox.py and bench/staff_pages.py: letters with a
review process and one screening task each. Import it after ``django.setup()``."""

from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from applications.models import Letter

FLOW = "review/flows.LetterFlow"


def seed(count: int, *, status: str, owner=None, prefix: str) -> None:
    """Letters with a review process and one screening task each, by bulk insert."""
    now = timezone.now()
    with transaction.atomic():
        letters = Letter.objects.bulk_create(
            Letter(
                organisation_name=f"{prefix} organisation {i}",
                constituency="civil_society",
                country="MX",
                contact_name="Contact",
                contact_role="Director",
                contact_email=f"{prefix}{i}@example.org",
                care_work="Care",
                motivation="Motivation",
                priority_areas=["knowledge_data"],
                consent_privacy=True,
                status="submitted" if status != "DONE" else "rejected",
                name_key=f"{prefix}organisation{i}",
            )
            for i in range(count)
        )
        processes = Process.objects.bulk_create(
            Process(flow_class=FLOW, status="NEW" if status != "DONE" else "DONE") for _ in letters
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO review_letterprocess (process_ptr_id, letter_id) VALUES (%s, %s)",
                [
                    (process.pk, letter.pk)
                    for process, letter in zip(processes, letters, strict=True)
                ],
            )
        Task.objects.bulk_create(
            Task(
                process_id=process.pk,
                flow_task=f"{FLOW}.screen",
                flow_task_type="HUMAN",
                status=status,
                owner=owner,
                owner_permission="applications.screen_letter",
                created=now,
                finished=now if status == "DONE" else None,
            )
            for process in processes
        )
