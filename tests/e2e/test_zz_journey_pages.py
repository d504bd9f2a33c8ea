"""The Nu HTML Checker over every distinct page the browser journeys above loaded
(issue 16, item 11). Named ``zz`` so that pytest runs it after the journeys of this
folder; it runs the checker once."""

import pytest

from tests.html_check import ours_and_theirs, vnu_errors


def test_every_page_the_journeys_visit_is_valid_html(journey_pages, tmp_path):
    """0 errors in our markup (viewflow's and Django admin's own, listed in
    ``html_check.NOT_OUR_MARKUP``, are counted apart)."""
    if not journey_pages.pages:
        reason = "no journey ran before this test: run it with tests/e2e, not alone"
        print(f"\nvnu (journeys): skipped, {reason}")
        pytest.skip(reason)
    ours, theirs = ours_and_theirs(vnu_errors(journey_pages, tmp_path))
    print(
        f"\nvnu (journeys): pages={len(journey_pages.pages)} errors={len(ours)} "
        f"errors_in_viewflow_or_django_admin_markup={len(theirs)}"
    )
    assert not ours, "\n".join(ours)
