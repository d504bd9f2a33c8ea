"""Extra questions (issue 15, item 3): asked on the letter form (of every applicant
or some constituencies) and on a call's nomination form, validated like the fixed
fields, stored with the question's wording, shown to staff, in the diff, the
exports and the personal-data export, erased by the retention run."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications import links
from applications.choices import Constituency
from applications.letters import retention
from applications.letters import services as letters
from applications.models import Attachment, Letter, Nomination
from applications.questions import services
from applications.questions.selectors import letter_questions
from tests import factories
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

CHOICES = [
    {"key": "cgt", "label": {"es": "CGT", "en": "CGT", "fr": "CGT"}},
    {"key": "other", "label": {"es": "Otra", "en": "Another", "fr": "Une autre"}},
]


def question(lead, **fields):
    data = {
        "target": "letter",
        "kind": "one_choice",
        "label_es": "¿A qué confederación pertenece?",
        "label_en": "Which confederation do you belong to?",
        "label_fr": "À quelle confédération appartenez-vous ?",
        "choices": CHOICES,
        "required": True,
        "position": 1,
        **fields,
    }
    return services.question_save(data=data, by=lead)


def post_letter(**data):
    return Client().post(reverse("applications:letter_create"), form_data(**data))


def test_a_required_question_for_trade_unions_is_asked_of_them_only(lead):
    asked = question(lead, constituencies=[Constituency.TRADE_UNION])
    name = f"q_{asked.pk}"

    refused = post_letter(constituency="trade_union", language="en")
    assert refused.status_code == 400
    assert refused.context["form"].errors[name] == ["This field is required."]
    assert not Letter.objects.exists()

    wrong = post_letter(constituency="trade_union", **{name: "not-offered"})
    assert wrong.status_code == 400 and name in wrong.context["form"].errors

    accepted = post_letter(constituency="trade_union", **{name: "cgt"})
    assert accepted.status_code == 302
    letter = Letter.objects.get()
    [answer] = letter.answers
    assert answer["question"] == asked.pk and answer["value"] == "cgt"
    assert answer["label"]["es"] == "¿A qué confederación pertenece?"
    assert answer["text"] == {"es": "CGT", "en": "CGT", "fr": "CGT"}

    # A civil-society letter is not asked (its answer, if posted anyway, is not kept).
    assert post_letter(constituency="civil_society", **{name: "cgt"}).status_code == 302
    assert Letter.objects.latest("pk").answers == []


def test_the_form_marks_a_question_with_the_constituencies_it_is_for(lead):
    question(lead, constituencies=[Constituency.TRADE_UNION])
    question(lead, label_en="For everyone", kind="short_text", choices=[], required=False)
    html = Client().get(reverse("applications:letter_create")).content.decode()
    assert 'class="question only-for only-trade_union"' in html
    assert "Only for: Trade union" in html
    assert "For everyone" in html


def test_answers_are_validated_like_the_fixed_fields(lead):
    date = question(lead, kind="date", choices=[], label_en="Founded on")
    several = question(lead, kind="several_choices", label_en="Networks")
    short = question(lead, kind="short_text", choices=[], label_en="Acronym of the union")
    data = {f"q_{date.pk}": "31/02/2020", f"q_{several.pk}": ["cgt", "zzz"], f"q_{short.pk}": "x"}
    response = post_letter(**data)
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert f"q_{date.pk}" in errors and f"q_{several.pk}" in errors
    assert f"q_{short.pk}" not in errors
    # What was typed is kept on the page.
    assert 'value="x"' in response.content.decode()

    data = {f"q_{date.pk}": "2020-02-29", f"q_{several.pk}": ["cgt", "other"], f"q_{short.pk}": "x"}
    assert post_letter(language="fr", **data).status_code == 302
    answers = {a["question"]: a for a in Letter.objects.get().answers}
    assert answers[date.pk]["value"] == "2020-02-29"
    assert answers[several.pk]["text"]["fr"] == "CGT, Une autre"
    assert answers[short.pk]["text"]["en"] == "x"


def test_a_file_answer_goes_through_the_upload_checks_and_the_store(lead, aws):
    asked = question(lead, kind="file", choices=[], label_en="Statutes")
    name = f"q_{asked.pk}"
    fake = upload("statutes.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    refused = post_letter(**{name: fake})
    assert refused.status_code == 400
    assert "is not a PDF, DOCX or ODT document" in refused.context["form"].errors[name][0]
    assert aws.object_keys() == []

    assert post_letter(**{name: upload("statutes.pdf", pdf_bytes("Statutes"))}).status_code == 302
    letter = Letter.objects.get()
    stored = Attachment.objects.get(letter=letter, kind="question")
    assert aws.object_keys() == [stored.key]
    assert letter.answers[0]["value"]["sha256"] == stored.sha256
    assert letter.answers[0]["text"]["es"] == "statutes.pdf"


def test_staff_see_the_answer_as_it_was_asked_even_after_retiring_or_rewording(lead, reviewer):
    asked = question(lead)
    post_letter(**{f"q_{asked.pk}": "other"}, language="en")
    letter = Letter.objects.get()
    services.question_save(
        question=asked,
        data={
            **_data(asked),
            "label_en": "Reworded question",
            "choices": CHOICES[:1]
            + [{"key": "other", "label": {"es": "X", "en": "Renamed", "fr": "X"}}],
        },
        by=lead,
    )
    services.question_retire(question=asked, by=lead)
    assert list(letter_questions()) == []
    staff = Client()
    staff.force_login(reviewer)
    html = staff.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "Which confederation do you belong to?" in html
    assert "<dd>Another</dd>" in html
    assert "Reworded question" not in html and "Renamed" not in html
    assert (
        f"q_{asked.pk}" not in Client().get(reverse("applications:letter_create")).content.decode()
    )


def _data(asked):
    return {field: getattr(asked, field) for field in services.FIELDS}


def test_a_changed_answer_is_in_the_resubmission_diff(lead, make_letter, reviewer):
    asked = question(lead, kind="short_text", choices=[], label_en="Members of the union")
    letter = make_letter("changes_requested")
    token = links.status_token(letter)
    edit = reverse("applications:letter_edit", args=[token])
    content = {key: value for key, value in letter.content().items() if key != "answers"}
    data = {**form_data(**content), f"q_{asked.pk}": "1200"}
    response = Client().post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    staff = Client()
    staff.force_login(reviewer)
    page = staff.get(reverse("review:letter_detail", args=[letter.pk]))
    changes = {change.label: (change.before, change.after) for change in page.context["changes"]}
    assert changes["Members of the union"] == ("", "1200")


def test_answers_are_in_the_exports_and_erased_by_the_retention_run(lead, reviewer, aws):
    asked = question(lead, kind="short_text", choices=[], label_en="Members of the union")
    statutes = question(lead, kind="file", choices=[], label_en="Statutes", required=False)
    post_letter(
        **{f"q_{asked.pk}": "=1+2 members", f"q_{statutes.pk}": upload("s.pdf", pdf_bytes())}
    )
    letter = Letter.objects.get()
    staff = Client()
    staff.force_login(reviewer)

    export = staff.get(reverse("review:export_letters"))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index(f"Question {asked.pk}: Members of the union")
    assert rows[1][column] == "'=1+2 members"  # text, never a formula

    personal = json.loads(
        staff.get(reverse("review:export_applicant", args=[letter.pk])).content.decode()
    )
    assert personal["letter"]["answers"][0]["text"]["en"] == "=1+2 members"

    letters.letter_withdraw(letter=letter)
    Letter.objects.filter(pk=letter.pk).update(closed_at=timezone.now() - timedelta(days=400))
    assert retention.anonymise_due() == 1
    letter.refresh_from_db()
    assert letter.answers == [] and not letter.attachments.exists()
    assert letter.revisions.count() == 0


def test_a_call_asks_its_own_questions_on_its_nomination_form(lead, reviewer):
    call = factories.call(seats={Constituency.CIVIL_SOCIETY: 2})
    other_call = factories.call(seats={Constituency.CIVIL_SOCIETY: 1})
    asked = question(
        lead,
        target="nomination",
        call=call,
        kind="yes_no",
        choices=[],
        label_en="Can the nominee travel?",
    )
    nominator = factories.member(name="Miembro N")
    nominee_org = factories.member(name="Miembro O")
    url = reverse("applications:nomination_create", args=[links.nominate_token(call, nominator)])
    other = reverse(
        "applications:nomination_create", args=[links.nominate_token(other_call, nominator)]
    )
    assert "Can the nominee travel?" not in Client().get(other).content.decode()
    data = {
        **factories.nomination_data(nominee_org),
        "nominee_organisation": nominee_org.pk,
        "cv": upload("cv.pdf", pdf_bytes()),
        "endorsement": upload("e.pdf", pdf_bytes()),
    }
    refused = Client().post(url, data)
    assert refused.status_code == 400
    assert refused.context["form"].errors[f"q_{asked.pk}"] == ["This field is required."]
    data["cv"], data["endorsement"] = upload("cv.pdf", pdf_bytes()), upload("e.pdf", pdf_bytes())
    assert Client().post(url, {**data, f"q_{asked.pk}": "yes"}).status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.answers[0]["text"]["es"] == "Sí"
    staff = Client()
    staff.force_login(reviewer)
    html = staff.get(reverse("review:nomination_detail", args=[nomination.pk])).content.decode()
    assert "Can the nominee travel?" in html and "<dd>Yes</dd>" in html


def test_a_resubmission_keeps_the_answers_it_is_not_asked_again(lead, reviewer):
    """The applicant edits a letter sent back for changes: the earlier answers show in
    the form, a file answer is kept unless replaced, and the answer to a question
    retired since stays with the letter."""
    from applications.letters import services as letter_services
    from applications.models import LetterRevision
    from tests.factories import complete

    kept = question(lead, kind="short_text", choices=[], label_en="Members")
    statutes = question(lead, kind="file", choices=[], label_en="Statutes")
    retired = question(lead, kind="yes_no", choices=[], label_en="Affiliated?")
    post_letter(
        **{
            f"q_{kept.pk}": "1200",
            f"q_{statutes.pk}": upload("statutes.pdf", pdf_bytes()),
            f"q_{retired.pk}": "yes",
        }
    )
    letter = Letter.objects.get()
    complete(
        letter,
        "screen",
        reviewer,
        lambda: letter_services.letter_request_changes(
            letter=letter, by=reviewer, message="Más detalle."
        ),
    )
    services.question_retire(question=retired, by=lead)
    edit = reverse("applications:letter_edit", args=[links.status_token(letter)])
    page = Client().get(edit).content.decode()
    assert 'value="1200"' in page and "Affiliated?" not in page
    content = {key: value for key, value in letter.content().items() if key != "answers"}
    response = Client().post(edit, {**form_data(**content), f"q_{kept.pk}": "1500"})
    assert response.status_code == 302, response.content.decode()[:2000]
    letter.refresh_from_db()
    answers = {answer["question"]: answer for answer in letter.answers}
    assert answers[kept.pk]["value"] == "1500"
    assert answers[statutes.pk]["text"]["en"] == "statutes.pdf"  # the file answer is kept
    assert answers[retired.pk]["value"] == "yes"
    first = LetterRevision.objects.get(letter=letter, number=1).data["answers"]
    assert {a["question"]: a["value"] for a in first}[kept.pk] == "1200"


@pytest.mark.django_db(transaction=True)
def test_a_new_question_shows_on_the_blank_form_that_was_already_cached(lead):
    """Anonymous visitors get the blank letter form from a per-process cache: a
    question saved after the page was cached must appear on the next visit."""
    client = Client()
    before = client.get(reverse("applications:letter_create"))
    assert "Which confederation" not in before.content.decode()
    question(lead)
    after = client.get(reverse("applications:letter_create"))
    assert "Which confederation do you belong to?" in after.content.decode()
