"""The nomination form under the streaming size caps (config/uploads.py)."""

import pytest
from django.urls import reverse

from applications.links import nominate_token
from applications.models import Nomination
from tests import factories
from tests.applications.test_upload_caps import MB, pdf_of
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_the_nomination_form_refuses_a_large_cv_and_keeps_the_answers(
    client, open_call, aws, upload_spy
):
    nominator, nominee_org = factories.member(), factories.member()
    url = reverse("applications:nomination_create", args=[nominate_token(open_call, nominator)])
    data = {
        "cv": upload("cv.pdf", pdf_of(12 * MB)),
        "nominee_name": "Ana Gómez Ruiz",
        "nominee_email": "ana@example.org",
        "nominee_position": "Coordinadora",
        "nominee_organisation": nominee_org.pk,
        "nominee_language": "fr",
        "constituency": nominee_org.constituency,
        "motivation": "Veinte años de trabajo en cuidados comunitarios.",
        "endorsement": upload("aval.pdf", pdf_bytes("Aval")),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“cv.pdf” is 12.0\xa0MB; the limit is 10.0\xa0MB per file." in html
    assert "Ana Gómez Ruiz" in html and "Veinte años de trabajo en cuidados comunitarios." in html
    assert upload_spy.most <= 10 * MB + 64 * 1024  # the rest of the CV was never kept
    assert not Nomination.objects.exists()
    assert aws.object_keys() == []
