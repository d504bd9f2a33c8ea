"""In a real browser (issue 15): a Secretariat lead adds a required one-choice
question for trade unions in three languages; a trade union's letter form shows
it and refuses the letter without an answer, a civil-society form does not show
it; the reviewer sees the answer; once the question is retired, new forms do not
ask it and the letter still shows it.

Runs against pytest-django's live server with moto's S3 and SES.
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from applications.models import Letter, Question, TextVersion
from applications.roles import SECRETARIAT_LEAD

pytestmark = pytest.mark.e2e

QUESTION = {
    "es": "¿A qué confederación sindical pertenece?",
    "en": "Which trade union confederation do you belong to?",
    "fr": "À quelle confédération syndicale appartenez-vous ?",
}
CHOICES = "CSI | ITUC | CSI\nCSA | TUCA | CSA\nNinguna | None | Aucune"


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/staff/letters/tasks/$"))


def fill_letter(page, *, name, constituency):
    """Every required fixed field of the letter form, in English."""
    page.get_by_label(re.compile(r"^Organisation name")).fill(name)
    page.get_by_label(re.compile(r"^Constituency")).select_option(constituency)
    page.get_by_label(re.compile(r"^Country")).select_option("AR")
    page.get_by_label(re.compile(r"^Contact person")).fill("Luis Moreno")
    page.get_by_label(re.compile(r"^Position of the contact person")).fill("Secretario")
    page.get_by_label(re.compile(r"^Contact email")).fill("luis@sindicato.example.org")
    page.get_by_role("radio", name="Español").check()
    page.get_by_label(re.compile(r"^The organisation's work on care")).fill("Cuidadoras.")
    page.get_by_label(re.compile(r"^Motivation to join")).fill("Representarlas.")
    page.get_by_role("checkbox", name="Communication").check()
    page.get_by_label(re.compile(r"^I have read the privacy notice")).check()


def test_a_lead_asks_trade_unions_a_question_and_the_reviewer_reads_the_answer(
    live_server, page, new_page, aws, reviewer, staff_groups
):
    base = live_server.url
    reviewer.groups.add(Group.objects.get(name=SECRETARIAT_LEAD))  # Sofía leads too
    lead = page

    # 1. The lead adds the question, in three languages, for trade unions only.
    log_in(lead, base, "reviewer")
    lead.goto(base + "/staff/letters/questions/")
    lead.get_by_role("link", name="Add a question").click()
    lead.get_by_role("radio", name="Letter form").check()
    lead.get_by_role("checkbox", name="Trade union").check()
    lead.get_by_label("Kind of answer").select_option("one_choice")
    lead.get_by_label("Question (Spanish)").fill(QUESTION["es"])
    lead.get_by_label("Question (English)").fill(QUESTION["en"])
    lead.get_by_label("Question (French)").fill(QUESTION["fr"])
    lead.get_by_label(re.compile(r"^Choices")).fill(CHOICES)
    lead.get_by_label("An answer is required").check()
    lead.get_by_role("button", name="Save the question").click()
    expect(lead.get_by_text("The question was saved.")).to_be_visible()
    question = Question.objects.get()
    assert question.constituencies == ["trade_union"] and question.required
    assert [item["label"]["fr"] for item in question.choices] == ["CSI", "CSA", "Aucune"]

    # 2. A trade union's letter form asks it; a civil-society form does not.
    applicant = new_page()
    applicant.goto(base + "/apply/")
    asked = applicant.get_by_role("group", name=re.compile(re.escape(QUESTION["en"])))
    fill_letter(applicant, name="Sindicato de Trabajadoras del Cuidado", constituency="trade_union")
    expect(asked).to_be_visible()
    expect(asked.get_by_role("radio", name="TUCA")).to_be_visible()
    applicant.get_by_label(re.compile(r"^Constituency")).select_option("civil_society")
    expect(asked).to_be_hidden()
    applicant.get_by_label(re.compile(r"^Constituency")).select_option("trade_union")
    expect(asked).to_be_visible()

    # ... in the visitor's language (the form keeps nothing typed across a language
    # switch, so this looks and comes back).
    applicant.get_by_role("button", name="Français").click()
    applicant.locator("select[name=constituency]").select_option("trade_union")
    expect(applicant.get_by_text(QUESTION["fr"])).to_be_visible()
    applicant.get_by_role("button", name="Español").click()
    applicant.locator("select[name=constituency]").select_option("trade_union")
    expect(applicant.get_by_text(QUESTION["es"])).to_be_visible()
    applicant.get_by_role("button", name="English").click()

    # 3. Without an answer the letter is refused, the rest of it kept.
    fill_letter(applicant, name="Sindicato de Trabajadoras del Cuidado", constituency="trade_union")
    applicant.get_by_role("button", name="Send the letter").click()
    expect(applicant.get_by_role("alert").first).to_be_visible()
    block = applicant.locator("div.question").filter(has_text=QUESTION["en"])
    expect(block.get_by_text("This field is required.")).to_be_visible()
    expect(applicant.get_by_label(re.compile(r"^Organisation name"))).to_have_value(
        "Sindicato de Trabajadoras del Cuidado"
    )
    assert not Letter.objects.exists()
    applicant.get_by_role("checkbox", name="Communication").check()
    applicant.get_by_label(re.compile(r"^I have read the privacy notice")).check()
    asked.get_by_role("radio", name="TUCA").check()
    applicant.get_by_role("button", name="Send the letter").click()
    expect(applicant).to_have_url(re.compile(r"/letters/[^/]+/received/$"))
    letter = Letter.objects.get()
    assert letter.answers[0]["value"] == question.choices[1]["key"]

    # A civil-society organisation sends its letter without being asked.
    other = new_page()
    other.goto(base + "/apply/")
    fill_letter(other, name="Red Civil de Cuidados", constituency="civil_society")
    expect(other.get_by_role("group", name=re.compile(re.escape(QUESTION["en"])))).to_be_hidden()
    other.get_by_role("button", name="Send the letter").click()
    expect(other).to_have_url(re.compile(r"/letters/[^/]+/received/$"))
    assert Letter.objects.get(organisation_name="Red Civil de Cuidados").answers == []

    # 4. The reviewer sees the answer on the letter's page.
    staff = new_page()
    log_in(staff, base, "reviewer")
    staff.goto(f"{base}/staff/letters/{letter.pk}/")
    answers = staff.locator("dl.answers")
    expect(answers.get_by_text(QUESTION["en"])).to_be_visible()
    expect(answers.get_by_text("TUCA")).to_be_visible()

    # 5. The lead retires the question: new forms do not ask it; the letter still shows it.
    lead.goto(base + "/staff/letters/questions/")
    lead.get_by_role("button", name=re.compile(r"^Retire")).click()
    expect(lead.get_by_text("The question was retired")).to_be_visible()
    applicant.goto(base + "/apply/")
    applicant.get_by_label(re.compile(r"^Constituency")).select_option("trade_union")
    expect(applicant.get_by_text(QUESTION["en"])).to_have_count(0)
    staff.reload()
    expect(staff.locator("dl.answers").get_by_text(QUESTION["en"])).to_be_visible()
    expect(staff.locator("dl.answers").get_by_text("TUCA")).to_be_visible()


def test_the_preview_follows_what_the_lead_types(live_server, page, lead):
    """The Texts area's preview updates while typing (a script posts the Preview
    button's form after a pause); a wording that could not be sent says so."""
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + "/staff/letters/texts/emails/letter_submitted/applicant/")
    spanish = page.locator('[data-language="es"]')
    expect(spanish.locator(".preview-subject")).to_have_text(
        "Hemos recibido su carta de expresión de interés"
    )
    spanish.get_by_label("Subject (Español)").fill("Recibimos la carta de {organisation}")
    expect(spanish.locator(".preview-subject")).to_have_text(
        "Recibimos la carta de Red de Cuidados del Sur"
    )
    spanish.get_by_label("Subject (Español)").fill("Recibimos {organisation.__class__}")
    expect(spanish.locator(".text-preview")).to_contain_text("cannot be previewed")
    # The other languages are previewed still, and nothing was saved.
    expect(page.locator('[data-language="fr"] .preview-subject')).to_be_visible()
    assert not TextVersion.objects.exists()


def test_the_secretariats_pages_have_no_serious_accessibility_problem(
    live_server, page, lead, make_letter
):
    """axe-core on every page of the area, with errors shown and a question's form."""
    from applications.questions import services as questions

    from .test_accessibility import axe_problems

    make_letter("submitted")
    question = questions.question_save(
        data={
            "target": "letter",
            "kind": "one_choice",
            "label_es": "¿Sí?",
            "label_en": "Yes?",
            "label_fr": "Oui ?",
            "choices": [
                {"key": "a", "label": {"es": "A", "en": "A", "fr": "A"}},
                {"key": "b", "label": {"es": "B", "en": "B", "fr": "B"}},
            ],
            "required": True,
        },
        by=lead,
    )
    log_in(page, live_server.url, "lead")
    base = live_server.url + "/staff/letters/"
    found = {}
    for path in (
        "texts/",
        "texts/emails/letter_submitted/applicant/",
        "texts/pages/privacy_notice/",
        "settings/",
        "settings/deadlines/",
        "settings/checklist/",
        "questions/",
        "questions/new/",
        f"questions/{question.pk}/",
    ):
        page.goto(base + path)
        found[path] = axe_problems(page)[0]
    page.goto(base + "texts/emails/letter_submitted/applicant/")
    page.locator('[data-language="es"]').get_by_label("Subject (Español)").fill("{x}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    found["text with errors"] = axe_problems(page)[0]
    page.goto(live_server.url + "/apply/")
    found["letter form with a question"] = axe_problems(page)[0]
    assert found == {name: [] for name in found}
