"""Every signed-link decoder turns a payload it cannot use into the 404 page.

The access matrix tries links that were altered (a bad signature). Here the
signature is good: hypothesis signs random payloads with the project's real key
and each kind's own salt (what a leaked key, an old link format or a bug would
produce) and opens every page that takes that kind of link: a payload of the
wrong shape, a value of the wrong type (not a UUID, a huge or negative number,
a list, null, NUL characters), or the right shape naming nothing we have, is
answered with the link-problem page (404), never a 500.
"""

import uuid

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import links

pytestmark = pytest.mark.django_db

# kind: (salt, the keys its payload holds, the pages that take it)
KINDS = {
    "status": (
        links.STATUS_SALT,
        ("letter",),
        [
            lambda t: reverse("applications:letter_status", args=[t]),
            lambda t: reverse("applications:letter_received", args=[t]),
            lambda t: reverse("applications:letter_edit", args=[t]),
            lambda t: ("post", reverse("applications:letter_withdraw", args=[t])),
            lambda t: reverse("applications:letter_attachment", args=[t, 1]),
        ],
    ),
    "onboarding": (
        links.ONBOARDING_SALT,
        ("letter",),
        [lambda t: reverse("member_onboarding", args=[t])],
    ),
    "nominate": (
        links.NOMINATE_SALT,
        ("call", "member"),
        [lambda t: reverse("applications:nomination_create", args=[t])],
    ),
    "consent": (
        links.CONSENT_SALT,
        ("nomination", "email"),
        [lambda t: reverse("applications:nomination_consent", args=[t])],
    ),
    "nomination_status": (
        links.NOMINATION_STATUS_SALT,
        ("nomination",),
        [
            lambda t: reverse("applications:nomination_status", args=[t]),
            lambda t: ("post", reverse("applications:nomination_withdraw", args=[t])),
        ],
    ),
    "member": (
        links.MEMBER_SALT,
        ("member", "contact", "email"),
        [
            lambda t: reverse("member_self_service", args=[t]),
            lambda t: reverse("member_contact_edit", args=[t, 1]),
            lambda t: ("post", reverse("member_contact_add", args=[t])),
            lambda t: ("post", reverse("member_end", args=[t])),
            lambda t: ("post", reverse("member_reconfirm", args=[t])),
        ],
    ),
    "member_email": (
        links.MEMBER_EMAIL_SALT,
        ("contact", "email"),
        [
            lambda t: reverse("member_email_confirm", args=[t]),
            lambda t: ("post", reverse("member_email_confirm", args=[t])),
        ],
    ),
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**62, max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=60)
    | st.uuids().map(str)
    | st.just("00000000-0000-0000-0000-000000000000\x00")
    | st.just("1 OR 1=1")
    | st.just("../../etc/passwd"),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=8,
)


def payloads(keys):
    """Anything JSON, or a dict with the kind's keys holding anything."""
    right_keys = st.fixed_dictionaries({key: json_values for key in keys})
    some_keys = st.dictionaries(st.sampled_from([*keys, "x"]), json_values, max_size=3)
    return json_values | right_keys | some_keys


COUNTS: dict[str, dict[int, int]] = {}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_validly_signed_payload_we_cannot_use_gets_the_404_page(kind, request):
    salt, keys, pages = KINDS[kind]
    client = Client(raise_request_exception=False)
    counts = COUNTS.setdefault(kind, {})

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(payload=payloads(keys), compress=st.booleans())
    def check(payload, compress):
        token = signing.dumps(payload, salt=salt, compress=compress)
        for page in pages:
            url = page(token)
            if isinstance(url, tuple):  # a POST-only page (withdraw)
                status = client.post(url[1], {"confirm": "on"}).status_code
            else:
                status = client.get(url).status_code
            counts[status] = counts.get(status, 0) + 1
            assert status == 404, (payload, url, status)

    check()
    assert set(counts) == {404}
    print(f"\nsigned payloads {kind}: requests={sum(counts.values())} errors_500=0")


def test_a_well_formed_payload_naming_nothing_is_404_too():
    token = signing.dumps({"letter": str(uuid.uuid4())}, salt=links.STATUS_SALT, compress=True)
    assert Client().get(reverse("applications:letter_status", args=[token])).status_code == 404
