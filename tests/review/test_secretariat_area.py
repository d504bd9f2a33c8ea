"""The Secretariat's area (issue 15): who gets in, the page texts, the settings.

The emails' wording: tests/notifications/test_texts.py; the extra questions:
tests/applications/test_questions.py.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from applications.letters import services as letters
from applications.models import Question, SettingVersion, TextVersion
from applications.texts.pages import PAGES
from notifications.models import OutboxMessage
from review.selectors import letter_open_task
from review.task_actions import task_assign

pytestmark = pytest.mark.django_db

AREA = ("staff/letters/texts/", "staff/letters/settings/", "staff/letters/questions/")
EXAMPLES = {
    "<slug:event>": "letter_submitted",
    "<slug:audience>": "applicant",
    "<slug:name>": "home_intro",
    "<slug:key>": "checklist",
}


def area_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from area_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if route.startswith(AREA):
                yield route


@pytest.fixture
def objects(lead):
    """A version of a text and of a setting, and a question, for the URLs with an id."""
    from applications.configuration import services as configuration
    from applications.questions import services as questions
    from applications.texts import services as texts

    spec = PAGES["page/home_intro"]
    text = texts.text_save(spec=spec, language="es", body="Bienvenidos.", by=lead)
    setting = configuration.setting_save(
        key="deadlines", value={"screen": 5, "decide": 14, "onboard": 14}, by=lead
    )
    question = questions.question_save(
        data={
            "target": "letter",
            "kind": "short_text",
            "label_es": "¿Sindicato?",
            "label_en": "Union?",
            "label_fr": "Syndicat ?",
        },
        by=lead,
    )
    return {"text": text, "setting": setting, "question": question}


def urls(objects):
    ids = {
        "texts/versions/": objects["text"].pk,
        "settings/versions/": objects["setting"].pk,
        "questions/": objects["question"].pk,
    }
    found = []
    for route in area_routes():
        url = route
        for placeholder, value in EXAMPLES.items():
            url = url.replace(placeholder, value)
        if "<int:pk>" in url:
            pk = next(value for part, value in ids.items() if part in route)
            url = url.replace("<int:pk>", str(pk))
        found.append("/" + url)
    return found


def counts():
    return (
        TextVersion.objects.count(),
        SettingVersion.objects.count(),
        list(Question.objects.values_list("retired_at", flat=True)),
    )


def test_every_texts_and_settings_url_is_403_without_the_permission(objects, reviewer, approver):
    every = urls(objects)
    assert len(every) == 11, every
    before = counts()
    for user in (reviewer, approver):
        client = Client()
        client.force_login(user)
        for url in every:
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {"body_es": "x", "default": "es"}).status_code == 403, (
                user,
                url,
            )
    assert counts() == before  # nothing was changed by the refused requests
    anonymous = Client()
    for url in every:
        assert anonymous.get(url).status_code == 302  # to the login page


def test_a_secretariat_lead_opens_every_page_of_the_area(objects, lead):
    client = Client()
    client.force_login(lead)
    for url in urls(objects):
        if not url.endswith(("/restore/", "/retire/")):
            assert client.get(url).status_code == 200, url
    for key in PAGES:
        url = reverse("review:text_page", args=[key.split("/")[1]])
        assert client.get(url).status_code == 200, url


def test_the_area_is_in_three_languages(objects, lead):
    client = Client()
    client.force_login(lead)
    for language, heading in (("es", "Textos"), ("fr", "Textes"), ("en", "Texts")):
        client.cookies["django_language"] = language
        html = client.get(reverse("review:text_list")).content.decode()
        assert f"<h1>{heading}</h1>" in html, language


# Page texts ------------------------------------------------------------------------


def test_a_page_text_changed_in_spanish_shows_in_spanish_only(lead):
    client = Client()
    client.force_login(lead)
    url = reverse("review:text_page", args=["home_intro"])
    data = {}
    for language in ("es", "en", "fr"):
        data[f"body_{language}"] = PAGES["page/home_intro"].default(language)[1]
    data["body_es"] = "Bienvenidas <b>todas</b> las organizaciones.\n\nSegundo párrafo."
    assert client.post(url, {**data, "save": "1"}).status_code == 302

    visitor = Client()
    visitor.cookies["django_language"] = "es"
    spanish = visitor.get("/").content.decode()
    assert "<p>Bienvenidas &lt;b&gt;todas&lt;/b&gt; las organizaciones.</p>" in spanish
    assert "<p>Segundo párrafo.</p>" in spanish
    visitor.cookies["django_language"] = "en"
    english = visitor.get("/").content.decode()
    assert "Bienvenidas" not in english
    assert "The Global Alliance for Care was convened" in english


def test_the_privacy_notice_is_on_the_letter_form_with_the_retention_period(lead, settings):
    settings.RETENTION_MONTHS = 18
    html = Client().get(reverse("applications:letter_create")).content.decode()
    assert "Read the privacy notice" in html
    assert "erased 18 months after it was closed" in html


def test_a_page_text_takes_only_its_own_placeholders(lead):
    client = Client()
    client.force_login(lead)
    url = reverse("review:text_page", args=["onboarding_intro"])
    data = {
        f"body_{lang}": PAGES["page/onboarding_intro"].default(lang)[1]
        for lang in "es en fr".split()
    }
    response = client.post(
        url, {**data, "body_en": "Welcome {organisation} {status_link}", "save": "1"}
    )
    assert response.status_code == 400
    assert escape("“{status_link}” is not a placeholder of this text") in response.content.decode()
    response = client.post(url, {**data, "body_en": "Welcome, {organisation}!", "save": "1"})
    assert response.status_code == 302


def test_the_onboarding_page_fills_in_the_organisation(lead, make_letter):
    from applications import links
    from applications.texts import services as texts

    texts.text_save(
        spec=PAGES["page/onboarding_intro"],
        language="en",
        body="Welcome, {organisation}!",
        by=lead,
    )
    letter = make_letter("approved", organisation_name="Red <Cuidar>", language="en")
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("member_onboarding", args=[links.onboarding_token(letter)]))
    assert "<p>Welcome, Red &lt;Cuidar&gt;!</p>" in html.content.decode()


# Settings ----------------------------------------------------------------------------


def lead_client(lead):
    client = Client()
    client.force_login(lead)
    return client


def test_deadlines_are_the_secretariats_and_restorable(lead, reviewer, make_letter, settings):
    settings.REVIEW_DEADLINE_DAYS = {"screen": 10, "decide": 14, "onboard": 14}
    letter = make_letter("submitted")
    task = letter_open_task(letter=letter)
    type(task).objects.filter(pk=task.pk).update(created=timezone.now() - timedelta(days=4))
    staff = Client()
    staff.force_login(reviewer)
    overdue = reverse("review:letter_list") + "?overdue=on"
    assert letter.organisation_name not in staff.get(overdue).content.decode()

    client = lead_client(lead)
    url = reverse("review:setting_edit", args=["deadlines"])
    response = client.post(url, {"screen": "3", "decide": "14", "onboard": "14"})
    assert response.status_code == 302
    assert letter.organisation_name in staff.get(overdue).content.decode()

    refused = client.post(url, {"screen": "0", "decide": "14", "onboard": "abc"})
    assert refused.status_code == 400
    assert 'value="abc"' in refused.content.decode()

    # Back to the earlier value: version 1 was the 3 days; the default had no version.
    client.post(url, {"screen": "10", "decide": "14", "onboard": "14"})
    first = SettingVersion.objects.get(key="deadlines", number=1)
    client.post(reverse("review:setting_restore", args=[first.pk]))
    restored = SettingVersion.objects.get(key="deadlines", number=3)
    assert restored.value["screen"] == 3 and restored.restored_from == first
    page = client.get(url).content.decode()
    assert "Version 3" in page and "version 1 used again" in page


def checklist_post(items):
    data = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "30",
    }
    for n, item in enumerate(items):
        for name, value in item.items():
            data[f"items-{n}-{name}"] = value
    return data


def test_the_checklist_is_the_secretariats_with_items_required_or_not(lead, reviewer, make_letter):
    client = lead_client(lead)
    url = reverse("review:setting_edit", args=["checklist"])
    items = [
        {
            "key": "is_organisation",
            "label_es": "Es una organización",
            "label_en": "It is an organisation",
            "label_fr": "C'est une organisation",
            "required": "on",
        },
        {
            "label_es": "Tiene estatutos",
            "label_en": "It has statutes",
            "label_fr": "Elle a des statuts",
        },
    ]
    response = client.post(url, checklist_post(items))
    assert response.status_code == 302
    saved = SettingVersion.objects.get(key="checklist").value
    assert [item["key"] for item in saved] == ["is_organisation", "it_has_statutes"]
    assert [item["required"] for item in saved] == [True, False]

    letter = make_letter("submitted")
    task = letter_open_task(letter=letter)
    task_assign(task=task, user=reviewer)
    staff = Client()
    staff.force_login(reviewer)
    execute = f"/review/letter/{task.process_id}/screen/{task.pk}/execute/"
    page = staff.get(execute).content.decode()
    assert "It has statutes" in page and "It is not a duplicate" not in page
    # Approval needs the required item only.
    refused = staff.post(execute, {"outcome": "recommend_approval", "it_has_statutes": "on"})
    assert refused.status_code == 200 and "tick every eligibility item" in refused.content.decode()
    done = staff.post(execute, {"outcome": "recommend_approval", "is_organisation": "on"})
    assert done.status_code == 302
    letter.refresh_from_db()
    assert letter.screening_checklist == {"is_organisation": True, "it_has_statutes": False}

    # The item is removed later: the letter still shows what was checked, labelled.
    client.post(url, checklist_post([{**items[0], "remove": ""}]))
    html = staff.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "It has statutes" in html


def test_a_label_missing_in_a_language_is_refused_and_kept(lead):
    client = lead_client(lead)
    url = reverse("review:setting_edit", args=["communities"])
    response = client.post(url, checklist_post([{"label_es": "Cuidados", "label_en": "Care"}]))
    assert response.status_code == 400
    assert "Give the label in all three languages." in response.content.decode()
    assert 'value="Cuidados"' in response.content.decode()
    assert not SettingVersion.objects.exists()


def test_the_communities_offered_at_onboarding_are_the_secretariats(lead, make_letter):
    from applications import links

    client = lead_client(lead)
    url = reverse("review:setting_edit", args=["communities"])
    items = [
        {
            "label_es": "Cuidados y clima",
            "label_en": "Care and climate",
            "label_fr": "Soins et climat",
        }
    ]
    assert client.post(url, checklist_post(items)).status_code == 302
    letter = make_letter("approved", language="fr")
    page = Client()
    page.cookies["django_language"] = "fr"
    html = page.get(reverse("member_onboarding", args=[links.onboarding_token(letter)]))
    assert "Soins et climat" in html.content.decode()
    assert "Care data and statistics" not in html.content.decode()


def test_onboarding_reminders_follow_the_secretariats_days(lead, make_letter):
    from applications.configuration import services as configuration

    configuration.setting_save(key="reminders", value={"onboarding": [3]}, by=lead)
    letter = make_letter("approved")
    from applications.models import Letter

    Letter.objects.filter(pk=letter.pk).update(decided_at=timezone.now() - timedelta(days=4))
    assert letters.onboarding_reminders_send() == 1
    assert OutboxMessage.objects.filter(event="letter_onboarding_reminder").count() == 1
    assert letters.onboarding_reminders_send() == 0  # once


def test_the_task_pages_email_preview_stays_inside_its_iframe(reviewer, make_letter):
    """Found while fuzzing the Texts area's previews: the HTML email went into
    ``srcdoc`` unescaped, so its first quote ended the attribute and the rest of
    the email became markup of the staff page."""
    from html.parser import HTMLParser

    letter = make_letter("submitted")
    task = letter_open_task(letter=letter)
    task_assign(task=task, user=reviewer)
    staff = Client()
    staff.force_login(reviewer)
    execute = f"/review/letter/{task.process_id}/screen/{task.pk}/execute/"
    response = staff.post(
        execute, {"outcome": "request_changes", "message": 'Añadan "su plan".', "preview": "1"}
    )
    found = []

    class Frames(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(value for name, value in attrs if tag == "iframe" and name == "srcdoc")

    Frames(convert_charrefs=True).feed(response.content.decode())
    assert found == [response.context["preview"]["body_html"]]


def test_a_checklist_item_never_takes_the_name_of_a_screening_field(lead):
    client = lead_client(lead)
    url = reverse("review:setting_edit", args=["checklist"])
    items = [{"label_es": "Nota", "label_en": "Note", "label_fr": "Note", "required": "on"}]
    assert client.post(url, checklist_post(items)).status_code == 302
    [item] = SettingVersion.objects.get(key="checklist").value
    assert item["key"] == "note_2"
    from review.forms import ScreeningForm

    form = ScreeningForm({"outcome": "recommend_approval", "note": "interna", "note_2": "on"})
    assert form.is_valid(), form.errors
    assert form.checklist() == {"note_2": True}


def test_the_home_page_needs_no_database_still(monkeypatch):
    """While the database restarts, the home page is served with the default
    introduction (tests/test_faults.py restarts a real PostgreSQL under it)."""
    from django.db import OperationalError

    from applications.texts import selectors

    def down(*args, **kwargs):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(selectors, "text_current", down)
    response = Client().get("/")
    assert response.status_code == 200
    assert "The Global Alliance for Care was convened" in response.content.decode()
