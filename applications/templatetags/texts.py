"""``{% page_text "page/home_intro" %}``: a page text the Secretariat may reword
(``applications.texts``), in the visitor's language, as escaped paragraphs."""

from django import template
from django.conf import settings

from applications.texts.selectors import render_page_text

register = template.Library()


@register.simple_tag
def page_text(key, **values):
    return render_page_text(key, **{name: str(value) for name, value in values.items()})


@register.simple_tag
def draft_expiry_days():
    """``{% draft_expiry_days as days %}``: how long a saved letter is kept."""
    return settings.DRAFT_EXPIRY_DAYS
