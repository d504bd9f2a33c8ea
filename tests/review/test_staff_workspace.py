"""One staff workspace: every staff page wears one shell (one navigation landmark,
the Alliance's name, the user, a language switch, logout); the letter is read before
the task is claimed; a decision the user screened is shown with its reason."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from applications.roles import COMMITTEE
from review.selectors import letter_open_task, nomination_open_task
from review.templatetags.staff_nav import navigation_for
from tests import factories

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav id="staff-nav" aria-label="[^"]+">')
SHOWN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}


class ShownText(HTMLParser):
    """The words a page shows (text, and the attributes a reader hears), leaving out
    scripts, styles and what is marked as another language (``lang="en"`` on the
    language switch's "English")."""

    def __init__(self, language):
        super().__init__()
        self.language, self.texts, self.stack = language, set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        foreign = bool(self.stack and self.stack[-1]) or tag in ("script", "style")
        if attrs.get("lang") and not attrs["lang"].startswith(self.language):
            foreign = True
        if tag not in VOID:
            self.stack.append(foreign)
        if foreign:
            return
        for name, value in attrs.items():
            if value and name in SHOWN_ATTRIBUTES:
                self.texts.add(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not (self.stack and self.stack[-1]):
            self.texts.add(text)


VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def untranslated(html: str, language: str) -> list[str]:
    """Texts of the page that are, whole, an English msgid of a catalogue the site
    loads (ours, viewflow's, Django's) that has another translation in ``language``."""
    catalog = trans_real.translation(language)._catalog
    parser = ShownText(language)
    parser.feed(html)
    return sorted(
        text
        for text in parser.texts
        if isinstance(catalog.get(text), str) and catalog.get(text) not in ("", text)
    )


LANDMARKS = re.compile(r"<nav\b")


def assert_shell(html: str, user=None, where=""):
    assert len(NAV.findall(html)) == 1, f"{where}: the staff navigation landmark is missing"
    assert "Viewflow Demo" not in html and "Demostración de Viewflow" not in html, where
    # Not the public site's header.
    assert "Follow my letter" not in html and "Seguir mi carta" not in html, where
    assert 'name="language"' in html, f"{where}: no language switch"
    if user is not None:
        assert (user.get_full_name() or user.username) in html, f"{where}: no user name"
        assert reverse("logout") in html, f"{where}: no logout"


def nav_urls(user):
    with translation.override("en"):
        return [url for _label, url in navigation_for(user)]


@pytest.fixture
def demo_world(reviewer, approver, make_letter):
    """A letter to screen, one to decide, and a nomination to screen."""
    to_screen = make_letter("submitted", organisation_name="Red de Cuidados Sur")
    to_decide = make_letter("reviewed", organisation_name="Cuidar Juntas")
    nomination = factories.nomination_in_state("submitted", call=factories.call())
    return {"screen": to_screen, "decide": to_decide, "nomination": nomination}


@pytest.mark.parametrize("language", ["es", "en", "fr"])
@pytest.mark.parametrize("who", ["reviewer", "lead", "approver"])
def test_every_page_of_the_navigation_wears_the_one_shell(
    client, demo_world, request, who, language
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    client.cookies["django_language"] = language
    urls = nav_urls(user)
    with translation.override("en"):
        english_words = [str(label) for label, _url in navigation_for(user)]
        english_words += ["Log out", "Search", "Language:"]
    assert reverse("review:task_inbox") in urls
    if who == "lead":
        assert reverse("review:text_list") in urls
    else:
        assert reverse("review:text_list") not in urls
    assert reverse("admin:index") not in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_shell(html, user, where=url)
        assert f'<html lang="{language}">' in html, url
        # Every page links every entry of the navigation.
        for other in urls:
            assert f'href="{other}"' in html, (url, other)
        if language != "en":
            # No text of the page is a msgid left in English.
            assert untranslated(html, language) == [], url
            # The shell's own words are in the reader's language, none left in English.
            shell = html[: html.index('<main id="main">')]
            for english in english_words:
                assert f">{english}<" not in shell, (url, english)


def test_the_pages_behind_the_navigation_wear_it_too(client, demo_world, reviewer, approver):
    letter, nomination = demo_world["screen"], demo_world["nomination"]
    client.force_login(reviewer)
    pages = [
        reverse("review:letter_detail", args=[letter.pk]),
        reverse("review:nomination_detail", args=[nomination.pk]),
        reverse("review:task", args=[letter_open_task(letter=letter).pk]),
        reverse("review:task", args=[nomination_open_task(nomination=nomination).pk]),
        reverse("review:call_create"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shell(response.content.decode(), reviewer, where=url)
    for language in ("es", "fr"):
        client.cookies["django_language"] = language
        for url in pages:
            assert untranslated(client.get(url).content.decode(), language) == [], url
    del client.cookies["django_language"]
    # A refusal keeps the shell too.
    client.force_login(approver)
    refused = client.get(reverse("review:text_list"))
    assert refused.status_code == 403
    assert_shell(refused.content.decode(), approver, where="403")


@pytest.mark.parametrize(
    "language,title", [("es", "Acceso del personal"), ("fr", "Connexion du personnel")]
)
def test_the_login_page_is_the_alliances_in_the_visitors_language(client, language, title):
    client.cookies["django_language"] = language
    html = client.get(reverse("login")).content.decode()
    assert_shell(html, where="login")
    assert title in html
    assert "Global Alliance for Care" in html or "Alianza" in html or "Alliance" in html
    reset = client.get(reverse("password_reset")).content.decode()
    assert_shell(reset, where="password reset")


def test_after_login_staff_land_on_their_tasks(client, reviewer):
    response = client.post(reverse("login"), {"username": "reviewer", "password": "pw-reviewer"})
    assert response.status_code == 302
    assert response["Location"] == reverse("review:task_inbox")
    # No language chosen yet: the one they read the login page in stays.
    assert "django_language" not in response.cookies


def test_the_admin_carries_the_alliances_name_and_is_in_the_navigation_of_superusers(client):
    admin = User.objects.create_superuser("root", "root@alliance.test", "pw-root")
    client.force_login(admin)
    assert reverse("admin:index") in nav_urls(admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Global Alliance for Care" in html
    assert f'href="{reverse("review:task_inbox")}"' in html


def test_viewflow_pages_of_a_task_lead_to_our_task_page(client, demo_world, reviewer):
    letter = demo_world["screen"]
    task = letter_open_task(letter=letter)
    client.force_login(reviewer)
    ours = reverse("review:task", args=[task.pk])
    for action in ("index", "detail", "assign"):
        response = client.get(reverse(f"letter:screen:{action}", args=[task.process_id, task.pk]))
        assert response.status_code == 302, action
        assert response["Location"] == ours, action
    # The inbox links our task page, not viewflow's.
    inbox = client.get(reverse("review:task_inbox")).content.decode()
    assert f'href="{ours}"' in inbox
    assert "/review/letter/" not in inbox


def test_the_letter_is_read_before_claiming_and_completing_takes_the_task(
    client, demo_world, reviewer
):
    letter = demo_world["screen"]
    task = letter_open_task(letter=letter)
    client.force_login(reviewer)
    url = reverse("review:task", args=[task.pk])
    html = client.get(url).content.decode()
    task.refresh_from_db()
    assert task.owner_id is None, "reading the task page must not take it"
    motivation = html.index(letter.motivation.splitlines()[0][:30])
    assert html.index('id="task-form-title"') > motivation, "the form comes after the letter"
    assert 'name="claim"' in html
    response = client.post(url, {"outcome": "recommend_approval", **factories.checklist_ticked()})
    assert response.status_code == 302
    assert response["Location"] == reverse("review:letter_detail", args=[letter.pk])
    task.refresh_from_db()
    letter.refresh_from_db()
    assert task.status == "DONE" and task.owner_id == reviewer.pk
    assert letter.status == "reviewed" and letter.screened_by_id == reviewer.pk


def test_claiming_is_one_button_on_the_task_page(client, demo_world, reviewer, reviewer2):
    task = letter_open_task(letter=demo_world["screen"])
    url = reverse("review:task", args=[task.pk])
    client.force_login(reviewer)
    assert client.post(url, {"claim": "1"})["Location"] == url
    task.refresh_from_db()
    assert task.owner_id == reviewer.pk
    assert "This task is yours." in client.get(url).content.decode()
    # Someone else reads it with the reason and no form, and cannot complete it.
    client.force_login(reviewer2)
    html = client.get(url).content.decode()
    assert "This task is assigned to Sofía" in html
    assert 'id="task-form-title"' not in html
    assert client.post(url, {"outcome": "request_changes", "message": "x"}).status_code == 403


def test_the_nomination_is_read_before_claiming(client, demo_world, reviewer):
    nomination = demo_world["nomination"]
    task = nomination_open_task(nomination=nomination)
    client.force_login(reviewer)
    html = client.get(reverse("review:task", args=[task.pk])).content.decode()
    assert html.index(nomination.motivation) < html.index('id="task-form-title"')
    assert 'name="claim"' in html


def test_a_decision_the_user_screened_is_shown_with_the_reason_not_an_empty_page(
    client, demo_world, reviewer
):
    """A reviewer who also sits on the committee screened a letter: the decision
    is not offered in their tasks, the inbox says why, and its page explains."""
    reviewer.groups.add(Group.objects.get(name=COMMITTEE))
    letter = demo_world["decide"]
    task = letter_open_task(letter=letter, node_name="decide")
    client.force_login(reviewer)
    inbox = client.get(reverse("review:task_inbox")).content.decode()
    assert reverse("review:task", args=[task.pk]) not in inbox
    assert "Cuidar Juntas" in inbox
    assert "you screened" in inbox
    html = client.get(reverse("review:task", args=[task.pk])).content.decode()
    assert "screened" in html and 'id="task-form-title"' not in html
    assert letter.motivation.splitlines()[0][:30] in html


def test_diffs_and_histories_speak_the_readers_language_with_peoples_names(
    client, reviewer, make_letter
):
    from applications.links import status_token
    from tests.factories import form_data

    letter = make_letter("changes_requested", constituency="national_government")
    data = form_data(
        organisation_name=letter.organisation_name,
        contact_email=letter.contact_email,
        website=letter.website,
        constituency="civil_society",
    )
    client.post(reverse("applications:letter_edit", args=[status_token(letter)]), data)
    client.force_login(reviewer)
    client.cookies["django_language"] = "es"
    html = client.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "<del>Gobierno nacional</del>" in html
    assert "<ins>Organización de la sociedad civil</ins>" in html
    assert "national_government" not in html
    history = html[html.index('class="history"') :]
    assert "Revisión: Enviada → Cambios solicitados, por Sofía" in history, history[:800]
    assert "submit:" not in history and "(reviewer)" not in html


def test_a_recommendation_shows_the_screeners_name(client, reviewer, approver, make_letter):
    letter = make_letter("reviewed")
    client.force_login(approver)
    html = client.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "(Sofía)" in html and "(reviewer)" not in html


def test_the_call_list_gives_times_in_the_calls_time_zone_with_its_name(client, reviewer):
    import time_machine

    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        factories.call(opens_in_days=-0.01, closes_in_days=30)
    client.force_login(reviewer)
    client.cookies["django_language"] = "es"
    html = client.get(reverse("review:call_list")).content.decode()
    # 30 days after 09:00 UTC is 03:00 in Mexico City (UTC-6), not 09:00.
    assert "31 de marzo de 2026 a las 03:00 (America/Mexico_City)" in html


def test_each_staff_member_chooses_the_language_of_their_pages_and_emails(
    client, reviewer, reviewer2, settings
):
    from applications.letters import services as letter_services
    from notifications.models import OutboxMessage

    settings.STAFF_LANGUAGE = "en"
    client.force_login(reviewer)
    response = client.post(
        reverse("review:staff_language"), {"language": "fr", "next": reverse("review:letter_list")}
    )
    assert response["Location"] == reverse("review:letter_list")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr">' in client.get(reverse("review:letter_list")).content.decode()
    # A next page elsewhere is not followed.
    away = client.post(
        reverse("review:staff_language"), {"language": "fr", "next": "https://x.example/"}
    )
    assert away["Location"] == reverse("review:task_inbox")

    # A new letter: Sofía hears of it in French, Lucía in the default, both with its link.
    letter = letter_services.letter_submit(data=factories.LetterDataFactory())
    mails = {
        mail.recipient: mail
        for mail in OutboxMessage.objects.filter(event="letter_submitted", audience="Secretariat")
    }
    assert mails[reviewer.email].language == "fr" and mails[reviewer2.email].language == "en"
    assert "Nouvelle" in mails[reviewer.email].subject or "lettre" in mails[reviewer.email].subject
    link = settings.SITE_URL + reverse("review:letter_detail", args=[letter.pk])
    assert link in mails[reviewer.email].body_text and link in mails[reviewer2.email].body_text

    # Logging in again in another browser puts the language back.
    other = type(client)()
    login = other.post(reverse("login"), {"username": "reviewer", "password": "pw-reviewer"})
    assert login.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_the_email_preferences_page_keeps_the_language(client, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("review:email_preference"), {"mode": "immediate", "language": "es"}
    )
    assert response.status_code == 302
    html = client.get(reverse("review:email_preference")).content.decode()
    assert '<html lang="es">' in html
    assert '<option value="es" selected lang="es">' in html


def test_bulk_assign_says_per_row_what_was_assigned_and_why_not(client, reviewer, make_letter):
    from review.task_actions import task_assign

    free = make_letter("submitted", organisation_name="Libre")
    mine = make_letter("submitted", organisation_name="Ya mía")
    decision = make_letter("reviewed", organisation_name="Para el comité")
    task_assign(task=letter_open_task(letter=mine), user=reviewer)
    client.force_login(reviewer)
    response = client.post(
        reverse("review:letter_list"),
        {"letters": [free.pk, mine.pk, decision.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Assigned to you: Libre." in html
    assert "Not assigned: Ya mía. This task is already yours." in html
    assert "Not assigned: Para el comité. Your role does not include this task." in html
    assert "You cannot take this task." not in html


def test_one_search_finds_letters_nominations_and_members_without_case_or_accents(
    client, reviewer, approver, make_letter, django_assert_max_num_queries
):
    make_letter("submitted", organisation_name="Fundación Árbol Cuidador", acronym="FAC")
    make_letter("submitted", organisation_name="Otra Red", contact_email="hola@otra-red.org")
    factories.member(name="Colectivo Niñez Plena", acronym="CNP", contact_email="cnp@ninez.org")
    factories.nomination_in_state("submitted", call=factories.call(), nominee_name="Inés Gómez")
    client.force_login(reviewer)
    url = reverse("review:search")

    def found(q):
        with django_assert_max_num_queries(15):
            context = client.get(url, {"q": q}).context
        return {kind: [str(o) for o in rows] for kind, rows in context["found"].items() if rows}

    assert "Fundación Árbol Cuidador" in found("FUNDACION arbol")["letters"][0]
    assert "Fundación Árbol Cuidador" in found("fac")["letters"][0]
    assert "Otra Red" in found("OTRA-RED.org")["letters"][0]
    assert list(found("ninez plena")) == ["members"]
    assert list(found("CNP")) == ["members"]
    nominations = found("ines gomez")["nominations"]
    assert len(nominations) == 1
    html = client.get(url, {"q": "nada parecido"}).content.decode()
    assert "Nothing matches" in html
    assert 'role="search"' in html


def test_the_dashboard_covers_the_whole_alliance_as_charts_and_tables(
    client, reviewer, make_letter, django_assert_max_num_queries
):
    from applications.choices import Constituency

    factories.member(name="Sindicato Uno", constituency=Constituency.TRADE_UNION, country="AR")
    factories.member(name="Sindicato Dos", constituency=Constituency.TRADE_UNION, country="KE")
    call = factories.call(seats={Constituency.TRADE_UNION: 2, Constituency.CIVIL_SOCIETY: 1})
    factories.nomination_in_state("submitted", call=call)
    client.force_login(reviewer)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("review:dashboard"))
    context = response.context
    members, regions, nominations = (
        {bar.label: bar.value for bar in chart.bars} for chart in context["alliance_charts"]
    )
    assert members["Trade union"] == 2 + 0  # the nominator and nominee are other members
    assert sum(regions.values()) == context["members_total"]
    assert nominations["Submitted"] == 1
    [(open_call, seats)] = context["open_calls"]
    assert open_call == call
    assert [(seat.label, seat.seats, seat.approved) for seat in seats] == [
        ("Civil society organisation", 1, 0),
        ("Trade union", 2, 0),
    ]
    html = response.content.decode()
    assert "<script" not in html
    # each chart as a table: 3 of letters, 2 of monthly medians, 3 of members and nominations
    assert html.count('<table class="visually-hidden">') == 8
    assert "Open call:" in html


def test_my_tasks_pages_the_users_own_first_then_the_free_ones_in_few_queries(
    client, reviewer, reviewer2, make_letter, django_assert_max_num_queries
):
    """The list is read in two parts (the user's own tasks, then the free ones, each
    oldest first) and paged across the seam; someone else's task is not listed."""
    from review.task_actions import task_assign

    letters = [make_letter("submitted", organisation_name=f"Red {i:02d}") for i in range(30)]
    for letter in letters[20:]:
        task_assign(task=letter_open_task(letter=letter), user=reviewer)
    task_assign(task=letter_open_task(letter=letters[0]), user=reviewer2)
    client.force_login(reviewer)
    url = reverse("review:task_inbox")
    with django_assert_max_num_queries(15):
        first = client.get(url)
    subjects = [row["subject"] for row in first.context["rows"]]
    assert subjects == [f"Red {i:02d}" for i in [*range(20, 30), *range(1, 16)]]
    assert first.context["page_obj"].paginator.count == 29
    assert "29 open tasks" in first.content.decode()
    second = client.get(url, {"page": 2}).context
    assert [row["subject"] for row in second["rows"]] == [f"Red {i:02d}" for i in range(16, 20)]
    # A task page reads the letter, its files, replies, emails and history in at most 15.
    task = letter_open_task(letter=letters[25])
    with django_assert_max_num_queries(15):
        assert client.get(reverse("review:task", args=[task.pk])).status_code == 200


def test_the_public_site_and_the_workspace_share_their_head_and_language_switch(client):
    """One head (templates/_head.html) and one language switch
    (templates/_language_switch.html) for both layouts: the same markup on a public
    page and on the staff login page, which posts to the same place."""
    switch = re.compile(r'<form class="lang".*?</form>', re.S)
    head = re.compile(r"<head>(.*?)<title>", re.S)
    public = client.get(reverse("home")).content.decode()
    staff = client.get(reverse("login")).content.decode()
    next_page = re.compile(r'name="next" value="[^"]*"')
    assert next_page.sub("", switch.search(public).group(0)) == next_page.sub(
        "", switch.search(staff).group(0)
    )
    assert head.search(public).group(1) == head.search(staff).group(1)
