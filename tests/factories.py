"""Test data. Letters are made through the real services, so their review
process, audit rows and outbox are what production would have."""

import factory

from applications import services
from applications.choices import Constituency, PriorityArea, Recommendation
from review.services import letter_open_task, task_complete


class LetterDataFactory(factory.DictFactory):
    organisation_name = factory.Sequence(lambda n: f"Red de Cuidados {n}")
    acronym = "RC"
    constituency = Constituency.CIVIL_SOCIETY
    country = "MX"
    website = factory.Sequence(lambda n: f"https://red{n}.example.org")
    contact_name = "María Pérez"
    contact_role = "Directora"
    contact_email = factory.Sequence(lambda n: f"maria{n}@red.example.org")
    language = "es"
    care_work = "Centros comunitarios de cuidado infantil."
    motivation = "Queremos compartir experiencias."
    priority_areas = factory.LazyFunction(lambda: [PriorityArea.EXPERIENCE_EXCHANGE])
    consent_privacy = True
    consent_public_listing = True


def form_data(**overrides) -> dict:
    """The letter as the public form posts it."""
    data = LetterDataFactory(**overrides)
    return {key: value for key, value in data.items() if value is not False}


def complete(letter, node, user, action):
    return task_complete(
        task=letter_open_task(letter=letter, node_name=node), user=user, action=action
    )


def letter_in_state(state, *, reviewer, approver, **data):
    letter = services.letter_submit(data=LetterDataFactory(**data))
    if state == "submitted":
        return letter
    if state == "withdrawn":
        return services.letter_withdraw(letter=letter)
    if state == "changes_requested":
        return complete(
            letter,
            "screen",
            reviewer,
            lambda: services.letter_request_changes(
                letter=letter, by=reviewer, message="Añadan su plan de trabajo."
            ),
        )
    letter = complete(
        letter,
        "screen",
        reviewer,
        lambda: services.letter_screen(
            letter=letter, by=reviewer, recommendation=Recommendation.APPROVE
        ),
    )
    if state == "reviewed":
        return letter
    letter = complete(
        letter,
        "decide",
        approver,
        lambda: services.letter_decide(
            letter=letter, by=approver, approve=state != "rejected", reason="Motivo."
        ),
    )
    if state in ("approved", "rejected"):
        return letter
    return complete(
        letter, "onboard", reviewer, lambda: services.letter_onboard(letter=letter, by=reviewer)
    )


def checklist_ticked() -> dict:
    """The screening form's eligibility checklist, every item ticked."""
    from review.forms import CHECKLIST

    return {name: "on" for name, _label in CHECKLIST}
