"""The privacy notice page (issue 13).

Its text is the Secretariat's wording of ``page/privacy_notice`` in the visitor's
language when they have reworded it; otherwise the template
``privacy/notice.<language>.html`` or ``privacy/notice.html``, which a deployer
overrides by putting a file of that name in ``TEMPLATE_OVERRIDES_DIR``. Either way
the retention periods come from the settings and the contact is
``SECRETARIAT_EMAIL``.
"""

from django.conf import settings
from django.shortcuts import render
from django.template.loader import select_template
from django.views.decorators.http import require_safe

from .selectors import current_language, render_page_text, text_current

KEY = "page/privacy_notice"


def privacy_values() -> dict:
    """What the notice says of how long data are kept, and whom to write to."""
    return {
        "retention_months": settings.RETENTION_MONTHS,
        "link_days": settings.STATUS_LINK_MAX_AGE_DAYS,
        "draft_days": settings.DRAFT_EXPIRY_DAYS,
        "secretariat_email": settings.SECRETARIAT_EMAIL,
    }


@require_safe
def privacy_notice(request):
    language = current_language()
    context = privacy_values()
    if text_current(KEY, language) is not None:
        context["secretariat_text"] = render_page_text(KEY, language=language)
    else:
        context["notice_template"] = select_template(
            [f"privacy/notice.{language}.html", "privacy/notice.html"]
        ).template.name
    return render(request, "privacy/page.html", context)
