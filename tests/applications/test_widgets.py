"""Forms rendered in Python (applications/widgets.py) and the cached blank letter
form (applications/page_cache.py): the same markup as Django's templates, the
visitor's own answers, and nothing of one visitor shown to another."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from applications import page_cache
from applications.letters.forms import LetterForm
from applications.members.forms import DirectoryFilterForm
from applications.nominations.forms import NominationForm
from applications.widgets import CachedOptionsSelect, FastRenderer, field_group
from review.forms import InboxFilterForm
from tests import factories
from tests.factories import form_data

pytestmark = pytest.mark.django_db

URL = reverse("applications:letter_create")

# templates/_field.html as it was before field_group() replaced it.
FIELD_TEMPLATE = Template(
    """{% load i18n %}<div class="field">
  {% if field.field.widget.input_type == "checkbox" and not field.field.widget.allow_multiple_selected %}
    {{ field }} <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} <span aria-hidden="true">*</span>{% endif %}</label>
  {% elif field.field.widget.input_type == "radio" or field.field.widget.allow_multiple_selected and field.field.widget.input_type == "checkbox" %}
    <fieldset>
      <legend>{{ field.label }}{% if field.field.required %} <span aria-hidden="true">*</span>{% endif %}</legend>
      {{ field }}
    </fieldset>
  {% else %}
    <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} <span aria-hidden="true">*</span>{% endif %}</label>
    {{ field }}
  {% endif %}
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% if field.errors %}<ul class="errorlist" id="{{ field.auto_id }}_error">{% for e in field.errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}
</div>
"""  # noqa: E501
)


def stock(make_form):
    """The same form rendered as Django renders it: its templates, stock widgets."""
    form = make_form(renderer=DjangoTemplates())
    for field in form.fields.values():
        if isinstance(field.widget, CachedOptionsSelect):
            field.widget = forms.Select(attrs=field.widget.attrs, choices=field.widget.choices)
    return form


def assert_same_markup(make_form):
    fast, reference = make_form(), stock(make_form)
    if "idempotency_key" in fast.initial:  # a new random key for each blank form
        reference.initial["idempotency_key"] = fast.initial["idempotency_key"]
    assert isinstance(fast.renderer, FastRenderer)
    assert list(fast.fields) == list(reference.fields)
    for name in fast.fields:
        assert str(fast[name]) == str(reference[name]), name
        expected = FIELD_TEMPLATE.render(Context({"field": reference[name]}))
        assert field_group(fast[name]) == expected, name


HOSTILE = '"><script>alert(1)</script>&amp;\u202e'


def letter_answers():
    return form_data(
        organisation_name=HOSTILE,
        acronym="",  # an error-free blank
        country="FR",
        website="not a web address",
        contact_email="not-an-email",
        priority_areas=["knowledge_data", "communication"],
        language="fr",
        care_work="Line one\nline <two>",
        consent_privacy=False,
        homepage="",
    )


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_letter_form_markup_is_djangos_blank_and_with_errors(language):
    with translation.override(language):
        assert_same_markup(lambda **kw: LetterForm(**kw))
        answers = letter_answers()
        bound = lambda **kw: LetterForm(answers, **kw)  # noqa: E731
        assert not bound().is_valid()
        assert_same_markup(bound)
        # A value that is not a choice is shown with its error and nothing selected.
        assert_same_markup(lambda **kw: LetterForm({**answers, "country": "ZZ"}, **kw))


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_staff_and_directory_filter_markup_is_djangos(language):
    with translation.override(language):
        assert_same_markup(lambda **kw: InboxFilterForm(**kw))
        assert_same_markup(
            lambda **kw: InboxFilterForm(
                {"country": "KE", "status": "submitted", "overdue": "on", "q": HOSTILE}, **kw
            )
        )
        assert_same_markup(lambda **kw: DirectoryFilterForm(country_codes=["MX", "KE"], **kw))
        assert_same_markup(
            lambda **kw: DirectoryFilterForm(
                {"country": "KE", "region": "africa", "q": HOSTILE},
                country_codes=["MX", "KE"],
                **kw,
            )
        )


def test_nomination_form_markup_is_djangos():
    call = factories.call()
    member = factories.member(name=HOSTILE)
    with translation.override("fr"):
        assert_same_markup(lambda **kw: NominationForm(call=call, **kw))
        answers = {
            "nominee_name": "Ana",
            "nominee_email": "nope",
            "nominee_organisation": str(member.pk),
            "nominee_language": "en",
            "constituency": "youth",
            "motivation": "",
        }
        assert_same_markup(lambda **kw: NominationForm(answers, call=call, **kw))


def selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_country_options_are_built_once_per_language_and_mark_the_visitors_choice():
    with translation.override("es"):
        html = str(LetterForm({"country": "MX"})["country"])
        assert selected(html, "country") == ["MX"]
        assert '<option value="MX" selected>México</option>' in html
        assert selected(str(LetterForm()["country"]), "country") == [""]
        assert selected(str(LetterForm({"country": "ZZ"})["country"]), "country") == []
    with translation.override("fr"):
        html = str(LetterForm({"country": "MX"})["country"])
        assert '<option value="MX" selected>Mexique</option>' in html
        assert 'value="DE">Allemagne<' in html
    assert {key[1] for key in CachedOptionsSelect._cache} == {"es", "fr"}


def test_staff_letter_list_keeps_the_chosen_country(client, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("review:letter_list"), {"country": "KE"}).content.decode()
    assert selected(html, "country") == ["KE"]
    html = client.get(reverse("review:letter_list")).content.decode()
    assert selected(html, "country") == [""]


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def test_blank_form_page_is_the_rendered_page_with_each_visitors_token_and_key():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(URL, HTTP_ACCEPT_LANGUAGE="fr")
    page_two = second.get(URL, HTTP_ACCEPT_LANGUAGE="fr")
    one, two = page_one.content.decode(), page_two.content.decode()
    assert page_one.status_code == page_two.status_code == 200
    assert "csrftoken" in page_one.cookies and "csrftoken" in page_two.cookies
    assert csrf_of(one) != csrf_of(two) and key_of(one) != key_of(two)
    assert page_cache.CSRF_MARK not in one and str(page_cache.KEY_MARK) not in one
    # The same page as the template renders for a fresh visitor, but for the two values.
    page_cache.clear()
    fresh = Client().get(URL + "?fresh=1", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    normalise = lambda html: html.replace(csrf_of(html), "T").replace(key_of(html), "K")  # noqa: E731
    assert normalise(one) == normalise(fresh).replace("/apply/?fresh=1", "/apply/")
    # Each token works for its own visitor: the POST reaches the form (400 with
    # errors), not the CSRF refusal (403).
    for client, html in ((first, one), (second, two)):
        response = client.post(URL, {"csrfmiddlewaretoken": csrf_of(html)})
        assert response.status_code == 400
    assert first.post(URL, {"csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_two_visitors_with_errors_each_see_only_their_own_answers():
    ana, ben = Client(), Client()
    ana.get(URL)
    ben.get(URL)
    ana_data = form_data(organisation_name="Colectivo Ana", country="AR", contact_email="bad")
    ben_data = form_data(organisation_name="Fundación Ben", country="KE", website="nope")
    ana_page = ana.post(URL, ana_data, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    ben_page = ben.post(URL, ben_data, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'value="Colectivo Ana"' in ana_page and "Fundación Ben" not in ana_page
    assert 'value="Fundación Ben"' in ben_page and "Colectivo Ana" not in ben_page
    assert selected(ana_page, "country") == ["AR"] and selected(ben_page, "country") == ["KE"]
    assert 'id="id_contact_email_error"' in ana_page and 'id="id_website_error"' in ben_page
    assert 'id="id_website_error"' not in ana_page
    # And a blank form afterwards, for them or anyone, carries neither.
    for client in (ana, ben, Client()):
        blank = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert "Colectivo Ana" not in blank and "Fundación Ben" not in blank
        assert selected(blank, "country") == [""]
        assert "errorlist" not in blank


def test_staff_and_visitors_with_a_message_get_the_page_rendered_for_them(client, reviewer):
    client.get(URL)  # the anonymous blank page is now cached
    # A message waiting for this visitor is shown on the form page.
    client.post(reverse("applications:status_link_request"), {"email": "x@example.org"})
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "If we hold a letter for this address" in html
    assert "If we hold a letter for this address" not in Client().get(URL).content.decode()
    client.force_login(reviewer)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("review:task_inbox") in html  # the staff header link
    assert reverse("review:task_inbox") not in Client().get(URL).content.decode()


def test_blank_page_follows_the_visitors_language():
    spanish = Client().get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    french = Client().get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="es"' in spanish and ">México</option>" in spanish
    assert 'lang="fr"' in french and ">Mexique</option>" in french
