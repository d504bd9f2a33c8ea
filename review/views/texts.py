"""The Secretariat's Texts area: every email and page text, its default, the
version in use, a preview with a real letter, nomination or call (or a sample)
in the three languages side by side, and the history with restore.

Only users with ``applications.edit_texts`` (the *Secretariat lead* group) get
in; everyone else logged in gets 403.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from applications.choices import Constituency, Language, Recommendation
from applications.exceptions import DomainError
from applications.links import nominate_url
from applications.models import Call, Letter, LetterDraft, Nomination, Organisation, TextVersion
from applications.texts import selectors as texts
from applications.texts import services as text_services
from applications.texts.pages import page_values
from applications.texts.selectors import page_text_html
from applications.versions import diff_lines
from notifications.services import email_specs, object_context, render_email

from ..secretariat_forms import TextForm

LANGUAGES = tuple(Language.values)
LANGUAGE_NAMES = dict(Language.choices)
EDIT_PERMISSION = "applications.edit_texts"


class SecretariatLeadMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """The Secretariat's own area: texts, settings, questions."""

    permission_required = EDIT_PERMISSION


def all_specs() -> dict:
    return {**texts.PAGES, **email_specs()}


def spec_for(key: str):
    spec = all_specs().get(key)
    if spec is None:
        raise Http404(_("There is no such text."))
    return spec


def edit_url(key: str) -> str:
    kind, *rest = key.split("/")
    if kind == "page":
        return reverse("review:text_page", args=rest)
    return reverse("review:text_email", args=rest)


class TextListView(SecretariatLeadMixin, generic.TemplateView):
    """Every text, grouped, with what is in use in each language and what is missing."""

    template_name = "review/texts/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edited = texts.edited()
        groups: dict[str, list] = {}
        missing = []
        for key, spec in all_specs().items():
            in_use = edited.get(key, {})
            row = {
                "spec": spec,
                "url": edit_url(key),
                "languages": [(lang, LANGUAGE_NAMES[lang], in_use.get(lang)) for lang in LANGUAGES],
            }
            groups.setdefault(str(spec.group), []).append(row)
            if in_use and len(in_use) < len(LANGUAGES):
                missing.append(
                    {
                        **row,
                        "missing": [
                            LANGUAGE_NAMES[lang] for lang in LANGUAGES if lang not in in_use
                        ],
                    }
                )
        context.update(groups=list(groups.items()), missing=missing)
        return context


# Previews ------------------------------------------------------------------------

SAMPLE = "sample"


def _sample_member(language: str) -> Organisation:
    return Organisation(
        pk=0,
        name="Red de Cuidados del Sur",
        acronym="RCS",
        constituency=Constituency.CIVIL_SOCIETY,
        country="MX",
        contact_email="contacto@example.org",
        language=language,
    )


def _sample_call() -> Call:
    now = timezone.now()
    return Call(
        title_es="Convocatoria al Comité de Gestión",
        title_en="Call for the Management Committee",
        title_fr="Appel au Comité de gestion",
        opens_at=now,
        closes_at=now + timedelta(days=30),
    )


def _sample_letter(language: str) -> Letter:
    return Letter(
        pk=0,
        organisation_name="Red de Cuidados del Sur",
        acronym="RCS",
        constituency=Constituency.CIVIL_SOCIETY,
        country="MX",
        contact_name="María Pérez",
        contact_role="Directora",
        contact_email="maria@example.org",
        language=language,
        consent_public_listing=True,
        recommendation=Recommendation.APPROVE,
        message_to_applicant=_("(The Secretariat's message to the applicant appears here.)"),
        decision_reason=_("(The reason given with the decision appears here.)"),
    )


def _sample_nomination(language: str) -> Nomination:
    nomination = Nomination(
        pk=0,
        nominee_name="Ana Gómez",
        nominee_email="ana@example.org",
        nominee_position="Coordinadora",
        nominee_language=language,
        constituency=Constituency.CIVIL_SOCIETY,
        motivation="…",
        recommendation=Recommendation.APPROVE,
        decision_reason=_("(The reason given with the decision appears here.)"),
    )
    nomination.call = _sample_call()
    nomination.nominated_by = _sample_member(language)
    nomination.nominee_organisation = _sample_member(language)
    return nomination


def object_kind(key: str) -> str:
    """Which objects an email is about: letter, nomination, call or digest."""
    event = key.split("/")[1] if key.startswith("email/") else ""
    if event.startswith("nomination_"):
        return "nomination"
    if event.startswith("call_"):
        return "call"
    if event == "staff_digest":
        return "digest"
    return "letter"


def preview_choices(kind: str) -> list[tuple[str, str]]:
    """The objects a preview can be rendered with: a sample, or a recent real one."""
    choices = [(SAMPLE, str(_("A sample")))]
    if kind == "letter":
        for letter in Letter.objects.filter(anonymised_at__isnull=True).order_by("-pk")[:30]:
            choices.append((f"letter:{letter.pk}", f"{letter.organisation_name} (#{letter.pk})"))
    elif kind == "nomination":
        for nomination in Nomination.objects.order_by("-pk")[:30]:
            choices.append(
                (f"nomination:{nomination.pk}", f"{nomination.nominee_name} (#{nomination.pk})")
            )
    elif kind == "call":
        for call in Call.objects.order_by("-opens_at")[:30]:
            choices.append((f"call:{call.pk}", f"{call.title} (#{call.pk})"))
    return choices


def _chosen(kind: str, choice: str):
    """The real object chosen for the preview, or None for the sample."""
    models = {"letter": Letter, "nomination": Nomination, "call": Call}
    prefix, _sep, pk = (choice or "").partition(":")
    if prefix != kind or kind not in models or not pk.isdigit():
        return None
    return models[kind].objects.filter(pk=int(pk)).first()


def preview_context(key: str, choice: str, language: str, user) -> dict:
    """The context an email of ``key`` would be rendered with, for the chosen object."""
    kind = object_kind(key)
    obj = _chosen(kind, choice)
    event = key.split("/")[1]
    if kind == "digest":
        now = timezone.now()
        items = [
            SimpleNamespace(created_at=now, subject="Red de Cuidados del Sur"),
            SimpleNamespace(created_at=now, subject="Asociación Cuidar"),
        ]
        return {
            "items": items,
            "inbox_url": settings.SITE_URL + reverse("letter:inbox"),
            "letters_url": settings.SITE_URL + reverse("review:letter_list"),
        }
    if kind == "call":
        call = obj or _sample_call()
        member = _sample_member(language)
        return {
            **object_context(call),
            "member": member,
            "nominate_url": nominate_url(call, member),
        }
    if kind == "nomination":
        return object_context(obj or _sample_nomination(language))
    if event.startswith("letter_draft_"):
        # A sample never saved: drafts are the applicants' own, not for staff to browse.
        draft = LetterDraft(
            contact_name="Ana Pérez",
            organisation_name="Red de Cuidados del Sur",
            language=language,
            expires_at=timezone.now() + timedelta(days=settings.DRAFT_EXPIRY_DAYS),
        )
        return object_context(draft)
    letter = obj or _sample_letter(language)
    context = object_context(letter)
    if event.startswith("task_"):
        context.update(
            task_title=gettext_lazy("Screening"),
            due=timezone.localdate(),
            assignee=user.get_full_name() or user.get_username(),
            task_url=settings.SITE_URL + reverse("review:task_inbox"),
        )
    return context


def _wording_is_default(spec, language: str, subject: str, body: str) -> bool:
    default_subject, default_body = spec.default(language)
    return (subject, body) == (default_subject.strip(), default_body.strip())


def render_preview(spec, language: str, subject: str, body: str, *, choice: str, user) -> dict:
    """What this wording would send (emails) or show (pages), exactly.

    A wording equal to the default, while the default is in use, previews the
    default files themselves: that is what goes out until a version is saved.
    """
    in_use = texts.text_current(spec.key, language)
    if in_use is None and _wording_is_default(spec, language, subject, body):
        text = None
    elif in_use is not None and (in_use.subject, in_use.body) == (subject, body):
        text = in_use
    else:
        text = TextVersion(key=spec.key, language=language, subject=subject, body=body)
    if spec.key.startswith("page/"):
        source = spec.default(language)[1] if text is None else text.body
        values = page_values(spec.key, organisation="Red de Cuidados del Sur")
        return {"page_html": page_text_html(source, values)}
    event, audience = spec.key.split("/")[1:]
    return render_email(
        event=event,
        audience=audience,
        language=language,
        context=preview_context(spec.key, choice, language, user),
        text=text,
    )


# Editing ------------------------------------------------------------------------


def history_rows(spec) -> dict[str, list]:
    """Each language's versions, newest first, with what changed from the one before."""
    rows: dict[str, list] = {language: [] for language in LANGUAGES}
    versions = texts.text_history(spec.key)
    by_language: dict[str, list] = {language: [] for language in LANGUAGES}
    for version in versions:
        by_language[version.language].append(version)
    for language, items in by_language.items():
        items = sorted(items, key=lambda version: version.number)
        default = "\n".join(part for part in spec.default(language) if part)
        before = default
        for version in items:
            after = (
                default
                if version.is_default
                else "\n".join(part for part in (version.subject, version.body) if part)
            )
            rows[language].append({"version": version, "diff": diff_lines(before, after)})
            before = after
        rows[language].reverse()
    return rows


class TextEditView(SecretariatLeadMixin, generic.TemplateView):
    """One text in three languages: edit, preview, save, back to default, history."""

    template_name = "review/texts/edit.html"

    def get_spec(self):
        if "name" in self.kwargs:
            return spec_for(f"page/{self.kwargs['name']}")
        return spec_for(f"email/{self.kwargs['event']}/{self.kwargs['audience']}")

    def initial(self, spec) -> dict:
        initial = {}
        for language in LANGUAGES:
            version = texts.text_current(spec.key, language)
            subject, body = (version.subject, version.body) if version else spec.default(language)
            initial[f"subject_{language}"] = subject.strip()
            initial[f"body_{language}"] = body.strip()
        return initial

    def page(self, spec, form, *, previews=None, status=200):
        choice = self.request.POST.get("object") or self.request.GET.get("object") or SAMPLE
        in_use = {language: texts.text_current(spec.key, language) for language in LANGUAGES}
        columns = []
        for language in LANGUAGES:
            columns.append(
                {
                    "language": language,
                    "name": LANGUAGE_NAMES[language],
                    "subject": form[f"subject_{language}"] if spec.has_subject else None,
                    "body": form[f"body_{language}"],
                    "in_use": in_use[language],
                    "default": spec.default(language),
                    "preview": (previews or {}).get(language),
                }
            )
        context = self.get_context_data(
            spec=spec,
            form=form,
            columns=columns,
            choice=choice,
            choices=preview_choices(object_kind(spec.key)) if spec.key.startswith("email/") else [],
            history=[
                (language, LANGUAGE_NAMES[language], rows)
                for language, rows in history_rows(spec).items()
            ],
            is_email=spec.key.startswith("email/"),
        )
        return self.render_to_response(context, status=status)

    def previews(self, spec, form, choice, skip=()) -> dict:
        return {
            language: render_preview(
                spec, language, *form.wording(language), choice=choice, user=self.request.user
            )
            for language in LANGUAGES
            if language not in skip
        }

    def get(self, request, **kwargs):
        spec = self.get_spec()
        initial = self.initial(spec)
        form = TextForm(initial=initial, spec=spec)
        choice = request.GET.get("object") or SAMPLE
        previews = {
            language: render_preview(
                spec,
                language,
                initial[f"subject_{language}"],
                initial[f"body_{language}"],
                choice=choice,
                user=request.user,
            )
            for language in LANGUAGES
        }
        return self.page(spec, form, previews=previews)

    def post(self, request, **kwargs):
        spec = self.get_spec()
        reset = request.POST.get("default")
        if reset in LANGUAGES:
            try:
                done = text_services.text_reset(spec=spec, language=reset, by=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("The default text is in use again in %(language)s.")
                    % {"language": LANGUAGE_NAMES[reset]}
                    if done
                    else _("The default text was already in use in %(language)s.")
                    % {"language": LANGUAGE_NAMES[reset]},
                )
            return redirect(edit_url(spec.key))
        form = TextForm(request.POST, spec=spec)
        choice = request.POST.get("object") or SAMPLE
        valid = form.is_valid()
        if "preview" in request.POST:
            # Each language that could be saved is previewed, whatever the others hold.
            previews = self.previews(spec, form, choice, skip=form.languages_with_errors())
            return self.page(spec, form, previews=previews, status=200 if valid else 400)
        if not valid:
            return self.page(spec, form, status=400)
        saved = []
        try:
            for language in LANGUAGES:
                subject, body = form.wording(language)
                if texts.text_current(spec.key, language) is None and _wording_is_default(
                    spec, language, subject, body
                ):
                    continue  # still the default: nothing to keep
                version = text_services.text_save(
                    spec=spec, language=language, subject=subject, body=body, by=request.user
                )
                if version:
                    saved.append(LANGUAGE_NAMES[language])
        except text_services.TextRefused as error:
            for problem in error.problems:
                form.add_error(None, problem)
            return self.page(spec, form, status=400)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.page(spec, form, status=400)
        if saved:
            messages.success(
                request,
                _("Saved a new version in: %(languages)s.") % {"languages": ", ".join(saved)},
            )
        else:
            messages.info(request, _("Nothing changed: no new version was saved."))
        return redirect(edit_url(spec.key))


class TextRestoreView(SecretariatLeadMixin, generic.View):
    """Use an earlier version of a text again (POST)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        version = get_object_or_404(TextVersion, pk=pk)
        spec = spec_for(version.key)
        try:
            restored = text_services.text_restore(spec=spec, version=version, by=request.user)
        except text_services.TextRefused as error:
            messages.error(
                request,
                _("Version %(n)d cannot be used again: %(why)s")
                % {"n": version.number, "why": " ".join(str(p) for p in error.problems)},
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if restored:
                messages.success(
                    request,
                    _("Version %(n)d is in use again (saved as version %(new)d).")
                    % {"n": version.number, "new": restored.number},
                )
            else:
                messages.info(request, _("This wording is already in use."))
        return redirect(edit_url(spec.key))
