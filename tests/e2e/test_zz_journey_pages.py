"""The Nu HTML Checker and axe-core over every distinct page the browser journeys
above loaded (issue 16, item 11). Named ``zz`` so that pytest runs it after the journeys of this
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


def test_every_page_the_journeys_visit_has_no_serious_axe_violation(journey_pages):
    """axe-core (current, from npm) on every distinct page the journeys load, public
    and staff, as it loads: 0 serious or critical violations."""
    if not journey_pages.axe_pages:
        reason = "no journey ran before this test (or axe-core is missing: npm ci)"
        print(f"\naxe (journeys): skipped, {reason}")
        pytest.skip(reason)
    print(
        f"\naxe (journeys): pages={journey_pages.axe_pages} "
        f"serious_or_critical={len(journey_pages.axe_problems)}"
    )
    assert not journey_pages.axe_problems, "\n".join(journey_pages.axe_problems)
