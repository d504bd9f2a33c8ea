"""The page texts the Secretariat may reword, with their placeholders and defaults.

A default is today's wording, translated through the catalogues (the same
messages the templates used), written with the placeholders. A page shows a
text as paragraphs of plain text (``selectors.render_page_text``): a blank line
starts a paragraph, a line break stays one, and nothing typed becomes markup.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .placeholders import Placeholder, TextSpec

PAGES_GROUP = gettext_lazy("Public pages")


def _in(language: str, build) -> tuple[str, str]:
    with translation.override(language):
        return "", build()


def _home(language):
    return _in(
        language,
        lambda: "\n\n".join(
            [
                _(
                    "The Global Alliance for Care was convened by Mexico's National Women's "
                    "Institute (INMUJERES) and UN Women. It was announced at the Generation "
                    "Equality Forum in Mexico City in March 2021 and launched in Paris in July "
                    "2021."
                ),
                _(
                    "Its members — governments, international organisations, the private and "
                    "philanthropic sectors, civil society, grassroots women's organisations, "
                    "caregivers' organisations, trade unions, youth organisations and "
                    "academia — commit to concrete action in 2021–2026 to recognise, reduce "
                    "and redistribute care work, and to represent and remunerate caregivers."
                ),
            ]
        ),
    )


def _letter_form(language):
    return _in(
        language,
        lambda: _(
            "Tell us about your organisation's work on care and why it wants to join. "
            "Fields marked * are required."
        ),
    )


def _onboarding(language):
    return _in(
        language,
        lambda: (
            _(
                "%(org)s has been accepted as a member of the Global Alliance for Care. "
                "Confirm how it appears in the member directory and tell us who should "
                "receive the Alliance's mail."
            )
            % {"org": "{organisation}"}
        ),
    )


def _nomination(language):
    return _in(
        language,
        lambda: _(
            "The nominee must belong to a member organisation and will be asked by email "
            "to accept the nomination; only accepted nominations are screened. A person "
            "can be nominated once per call. Fields marked * are required."
        ),
    )


def _privacy(language):
    return _in(
        language,
        lambda: "\n\n".join(
            [
                _(
                    "The Technical Secretariat of the Global Alliance for Care uses what you "
                    "write in this letter only to handle your organisation's application and, "
                    "if it becomes a member, to keep in touch with it."
                ),
                _(
                    "Who reads it: the Secretariat and the committee members who decide. If "
                    "your organisation becomes a member and agrees to be listed, its name, "
                    "country, constituency and description appear in the public member "
                    "directory."
                ),
                _(
                    "How long we keep it: if the letter is not approved or is withdrawn, its "
                    "contact details, texts and files are erased {retention_months} months "
                    "after it was closed."
                ),
                _(
                    "You may ask the Secretariat for a copy of what we hold about your "
                    "organisation, or to correct or erase it, by writing to "
                    "{secretariat_email} or answering any of our emails."
                ),
            ]
        ),
    )


ORGANISATION = Placeholder("organisation", gettext_lazy("the organisation's name"))

PAGES: dict[str, TextSpec] = {
    spec.key: spec
    for spec in (
        TextSpec(
            key="page/home_intro",
            title=gettext_lazy("Home page: introduction"),
            group=PAGES_GROUP,
            placeholders=(),
            default=_home,
        ),
        TextSpec(
            key="page/letter_form_intro",
            title=gettext_lazy("Letter form: introduction"),
            group=PAGES_GROUP,
            placeholders=(),
            default=_letter_form,
        ),
        TextSpec(
            key="page/privacy_notice",
            title=gettext_lazy("Privacy notice"),
            group=PAGES_GROUP,
            placeholders=(
                Placeholder(
                    "retention_months",
                    gettext_lazy("months after which closed letters are erased"),
                ),
                Placeholder(
                    "secretariat_email",
                    gettext_lazy("the Technical Secretariat's e-mail address"),
                ),
            ),
            default=_privacy,
        ),
        TextSpec(
            key="page/onboarding_intro",
            title=gettext_lazy("Onboarding checklist: text"),
            group=PAGES_GROUP,
            placeholders=(ORGANISATION,),
            default=_onboarding,
        ),
        TextSpec(
            key="page/nomination_guidance",
            title=gettext_lazy("Nomination form: guidance"),
            group=PAGES_GROUP,
            placeholders=(),
            default=_nomination,
        ),
    )
}


def page_values(key: str, **given) -> dict:
    """The values of a page text's placeholders: what the page gives, and the
    settings-derived ones."""
    values = {
        "retention_months": settings.RETENTION_MONTHS,
        "secretariat_email": settings.SECRETARIAT_EMAIL,
    }
    values.update(given)
    return {name: values.get(name, "") for name in PAGES[key].names}
