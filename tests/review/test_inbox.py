"""The staff letter inbox: filters, search, sort, overdue, bulk assign, constant queries."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from review.selectors import letter_open_task
from review.task_actions import task_assign

pytestmark = pytest.mark.django_db

URL = reverse("review:letter_list")


def names(response):
    return [letter.organisation_name for letter in response.context["object_list"]]


def test_filters_and_search(client, reviewer, make_letter):
    make_letter(
        "submitted", organisation_name="Sindicato Cuidar", constituency="trade_union", country="AR"
    )
    make_letter("reviewed", organisation_name="Red Joven", constituency="youth", country="MX")
    make_letter(
        "changes_requested",
        organisation_name="Academia Cuidado",
        constituency="academia",
        country="FR",
    )
    client.force_login(reviewer)
    assert names(client.get(URL, {"constituency": "youth"})) == ["Red Joven"]
    assert names(client.get(URL, {"country": "FR"})) == ["Academia Cuidado"]
    assert names(client.get(URL, {"status": "submitted"})) == ["Sindicato Cuidar"]
    assert names(client.get(URL, {"q": "cuidar"})) == ["Sindicato Cuidar"]
    assert names(client.get(URL, {"sort": "name"})) == [
        "Academia Cuidado",
        "Red Joven",
        "Sindicato Cuidar",
    ]
    assert names(client.get(URL, {"sort": "newest"}))[0] == "Academia Cuidado"
    assert names(client.get(URL, {"open": "on"})) == ["Sindicato Cuidar", "Red Joven"]
    empty = client.get(URL, {"q": "nothing like this"})
    assert "No letter matches these filters." in empty.content.decode()


def test_overdue_tasks_are_filtered_and_highlighted(client, reviewer, make_letter, settings):
    with time_machine.travel(
        timezone.now() - timedelta(days=settings.REVIEW_DEADLINE_DAYS["screen"] + 1)
    ):
        make_letter("submitted", organisation_name="Antigua")
    make_letter("submitted", organisation_name="Reciente")
    client.force_login(reviewer)
    response = client.get(URL, {"overdue": "on"})
    assert names(response) == ["Antigua"]
    html = client.get(URL).content.decode()
    assert html.count('class="overdue"') == 1
    assert "Overdue" in html


def test_page_queries_do_not_grow_with_the_number_of_letters(
    client, reviewer, make_letter, django_assert_num_queries
):
    for _ in range(3):
        make_letter("submitted")
    client.force_login(reviewer)
    client.get(URL)  # warm caches (content types, session)
    # 7: the deadlines are the Secretariat's setting, read once per page.
    with django_assert_num_queries(7):
        client.get(URL)
    for _ in range(5):
        make_letter("reviewed")
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert len(response.context["object_list"]) == 8


def test_pagination(client, reviewer, make_letter):
    for _ in range(27):
        make_letter("submitted")
    client.force_login(reviewer)
    first = client.get(URL)
    assert len(first.context["object_list"]) == 25
    second = client.get(URL, {"page": 2})
    assert len(second.context["object_list"]) == 2
    assert "Page 2 of 2" in second.content.decode()


def test_bulk_assign_takes_what_the_user_may_take(client, reviewer, make_letter):
    screening = [make_letter("submitted"), make_letter("submitted")]
    decision = make_letter("reviewed")
    client.force_login(reviewer)
    response = client.post(
        URL, {"letters": [letter.pk for letter in [*screening, decision]]}, follow=True
    )
    for letter in screening:
        assert letter_open_task(letter=letter).owner == reviewer
    assert letter_open_task(letter=decision).owner is None
    html = response.content.decode()
    assert "2 tasks assigned to you." in html
    assert decision.organisation_name in html


@pytest.mark.parametrize("page", ["letter:queue", "letter:inbox"])
def test_task_lists_use_constant_queries_and_show_the_letter(
    page, client, reviewer, make_letter, django_assert_num_queries
):
    letters = []

    def add(n):
        for _ in range(n):
            letter = make_letter("submitted", constituency="youth", country="KE")
            letters.append(letter)
            if page == "letter:inbox":
                task_assign(task=letter_open_task(letter=letter), user=reviewer)

    add(2)
    client.force_login(reviewer)
    url = reverse(page)
    client.get(url)
    # 12: the deadlines are the Secretariat's setting, read once per page.
    with django_assert_num_queries(12):
        client.get(url)
    add(6)
    with django_assert_num_queries(12):
        response = client.get(url)
    html = response.content.decode()
    for letter in letters:
        assert f">{letter.organisation_name}<" in html
    assert "Kenya" in html


def test_queue_filters_by_letter_fields(client, reviewer, make_letter, settings):
    make_letter("submitted", organisation_name="Joven", constituency="youth")
    with time_machine.travel(
        timezone.now() - timedelta(days=settings.REVIEW_DEADLINE_DAYS["screen"] + 1)
    ):
        make_letter("submitted", organisation_name="Sindicato", constituency="trade_union")
    client.force_login(reviewer)
    url = reverse("letter:queue")
    youth = client.get(url, {"constituency": "youth"}).content.decode()
    assert "Joven" in youth and "Sindicato" not in youth
    overdue = client.get(url, {"overdue": "true"}).content.decode()
    assert "Sindicato" in overdue and "Joven" not in overdue
    assert "Overdue" in overdue
    by_name = client.get(url, {"organisation": "joven"}).content.decode()
    assert "Joven" in by_name and "Sindicato" not in by_name


def test_bounce_on_the_applicant_address_shows_in_inbox_and_history(client, reviewer, make_letter):
    from notifications.models import DeliveryStatus, OutboxMessage

    letter = make_letter("submitted", contact_email="gone@nowhere.example.org")
    make_letter("submitted")
    OutboxMessage.objects.filter(recipient="gone@nowhere.example.org").update(
        delivery_status=DeliveryStatus.BOUNCED,
        delivery_event_at=timezone.now(),
        delivery_reason="Mailbox does not exist",
    )
    client.force_login(reviewer)
    inbox = client.get(URL).content.decode()
    assert inbox.count("email bounced") == 1
    page = client.get(reverse("review:letter_detail", args=[letter.pk])).content.decode()
    assert "Email to the applicant could not be delivered" in page
    assert "Mailbox does not exist" in page
