"""`make run` loads the demo data: it must work on a fresh database and again."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from applications.models import Call, Letter, Nomination

pytestmark = pytest.mark.django_db


def test_demo_data_gives_logins_letters_and_an_open_call_twice_over(client, staff_groups):
    for _ in range(2):
        out = io.StringIO()
        call_command("demo_data", stdout=out)
    printed = out.getvalue()
    logins = 0
    for username, password in re.findall(r"^ +\w+ +(\w+) / ([\w-]+)$", printed, re.M):
        assert User.objects.get(username=username).check_password(password), username
        logins += 1
    assert logins == 4
    assert Letter.objects.count() == 5
    assert set(Letter.objects.values_list("status", flat=True)) == {
        "submitted",
        "reviewed",
        "changes_requested",
        "approved",
        "onboarded",
    }
    assert Call.objects.count() == 1
    assert list(Nomination.objects.values_list("status", flat=True)) == ["submitted"]
    link = re.search(r"http://[^/]+(/nominate/\S+/)", printed).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "Ciudad Cuidadora" in page.content.decode()
