"""Test data. Letters are made through the real services, so their review
process, audit rows and outbox are what production would have."""

import itertools

import factory

from applications.choices import Constituency, PriorityArea, Recommendation
from applications.letters import services
from review.selectors import letter_open_task
from review.task_actions import task_complete


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


# Calls and nominations.


def member(**fields):
    """A member organisation of the Alliance (as onboarded or imported)."""
    import datetime

    from applications.models import Organisation

    n = Organisation.objects.count() + 1
    defaults = {
        "name": f"Miembro {n}",
        "constituency": Constituency.CIVIL_SOCIETY,
        "country": "MX",
        "website": f"https://miembro{n}.example.org",
        "contact_email": f"contacto@miembro{n}.example.org",
        "language": "es",
        "member_since": datetime.date(2024, 1, 15),
    }
    organisation = Organisation.objects.create(**{**defaults, **fields})
    if organisation.contact_email:
        organisation.contacts.create(
            role="focal_point", email=organisation.contact_email, language=organisation.language
        )
    return organisation


def call(*, opens_in_days: float = -1, closes_in_days: float = 30, seats=None, **fields):
    """A call for nominations, open by default, with its seats."""
    import datetime

    from django.utils import timezone

    from applications.nominations.services import call_save

    now = timezone.now()
    data = {
        "title_es": "Convocatoria al Comité de Gestión 2027",
        "title_en": "Call for the Management Committee 2027",
        "title_fr": "Appel au Comité de gestion 2027",
        "description_es": "Se eligen los miembros del Comité de Gestión.",
        "description_en": "The members of the Management Committee are chosen.",
        "description_fr": "Les membres du Comité de gestion sont choisis.",
        "time_zone": "America/Mexico_City",
        "opens_at": now + datetime.timedelta(days=opens_in_days),
        "closes_at": now + datetime.timedelta(days=closes_in_days),
        **fields,
    }
    return call_save(data=data, seats=seats or {Constituency.CIVIL_SOCIETY: 2}, by=None)


_nominee_numbers = itertools.count(1)


def nomination_data(nominee_organisation, **overrides) -> dict:
    n = next(_nominee_numbers)
    return {
        "nominee_name": "Ana Gómez",
        "nominee_email": f"ana{n}@{nominee_organisation.website_domain or 'example.org'}",
        "nominee_position": "Coordinadora",
        "nominee_organisation": nominee_organisation,
        "nominee_language": "es",
        "constituency": nominee_organisation.constituency,
        "motivation": "Veinte años de trabajo en políticas de cuidado.",
        **overrides,
    }


def nomination_files():
    from applications import uploads
    from applications.choices import NominationAttachmentKind
    from applications.nominations.services import NewFile

    from .files import pdf_bytes, upload

    return [
        NewFile(NominationAttachmentKind.CV, uploads.check_upload(upload("cv.pdf", pdf_bytes()))),
        NewFile(
            NominationAttachmentKind.ENDORSEMENT,
            uploads.check_upload(upload("aval.pdf", pdf_bytes("Endorsement"))),
        ),
    ]


def nomination_in_state(state, *, call, reviewer=None, approver=None, nominator=None, **data):
    """A nomination walked through the real services and flow to ``state``."""
    from applications.nominations import services as nominations
    from review.selectors import nomination_open_task

    nominator = nominator or member()
    nominee_org = data.pop("nominee_organisation", None) or member()
    nomination = nominations.nomination_submit(
        call=call,
        nominated_by=nominator,
        data=nomination_data(nominee_org, **data),
        files=nomination_files(),
    )
    if state == "awaiting_consent":
        return nomination
    if state == "withdrawn":
        return nominations.nomination_withdraw(nomination=nomination)
    nomination = nominations.nomination_consent(nomination=nomination, accept=state != "declined")
    if state in ("submitted", "declined"):
        return nomination

    def complete_node(node, user, action):
        task = nomination_open_task(nomination=nomination, node_name=node)
        return task_complete(task=task, user=user, action=action)

    nomination = complete_node(
        "screen",
        reviewer,
        lambda: nominations.nomination_screen(
            nomination=nomination, by=reviewer, recommendation=Recommendation.APPROVE
        ),
    )
    if state == "reviewed":
        return nomination
    nomination = complete_node(
        "decide",
        approver,
        lambda: nominations.nomination_decide(
            nomination=nomination, by=approver, approve=state != "rejected", reason="Motivo."
        ),
    )
    if state in ("approved", "rejected"):
        return nomination
    return complete_node(
        "onboard",
        reviewer,
        lambda: nominations.nomination_onboard(nomination=nomination, by=reviewer),
    )
