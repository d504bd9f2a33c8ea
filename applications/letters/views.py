"""Public pages of a letter: home, the letter form, the status page behind a signed
link, and the new member's onboarding checklist behind the link in its approval."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import uploads
from applications.choices import AttachmentKind, LetterStatus, reading_language
from applications.drafts import services as draft_services
from applications.drafts.forms import (
    draft_files_shown,
    files_sent,
    fill_initial,
    keep_question_files,
)
from applications.drafts.views import saved_or_refused
from applications.exceptions import DomainError
from applications.links import (
    LinkExpired,
    LinkInvalid,
    draft_public_id_from_token,
    letter_public_id_from_onboarding_token,
    letter_public_id_from_token,
    resolve,
    status_path,
    status_token,
)
from applications.page_cache import blank_form_page
from applications.uploads import NewFile
from config.abuse import HONEYPOT_FIELD, rate_limit

from . import drafts, selectors, services
from .forms import LetterForm, OnboardingChecklistForm, StatusLinkRequestForm, WithdrawForm


def home(request):
    return render(request, "home.html")


@rate_limit("letter_create")
@require_http_methods(["GET", "HEAD", "POST"])
def letter_create(request):
    if request.method == "GET":
        return blank_form_page(request, "applications/letter_form.html", LetterForm)
    form = LetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "save_draft" in request.POST:
        return _save_draft(request, form, draft=None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_submit(
                data=form.letter_data(),
                files=form.new_files(),
                idempotency_key=form.cleaned_data.get("idempotency_key"),
                answers=form.answers(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(reverse("applications:letter_received", args=[status_token(letter)]))
    uploads.warn_files_not_kept(request)
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/letter_form.html", {"form": form}, status=status)


# What "Save and continue later" checks: an address to send the link to, and the files.
DRAFT_CHECKED = frozenset({"contact_email", "signed_letter", "other_files", NON_FIELD_ERRORS})


def _save_draft(request, form, *, draft, kept=()):
    """Save the letter form as a draft and send its resume link; or show why not.

    Only the contact e-mail and the files are checked: whatever else is missing
    or wrong is for the submission to say."""
    form.is_valid()
    attached_answers = set(form.file_question_names()) & set(request.FILES)
    for name in list(form.errors):
        if name not in DRAFT_CHECKED and name not in attached_answers:
            del form._errors[name]
    email = form.cleaned_data.get("contact_email")
    if not email and "contact_email" not in form.errors:
        form.add_error("contact_email", _("This field is required."))
    new_files = _draft_new_files(form)
    kept = list(kept)
    others = len([f for f in new_files if f.kind == AttachmentKind.OTHER])
    if draft is not None:
        others += draft.files.filter(pk__in=kept, kind=AttachmentKind.OTHER).count()
    if others > settings.ATTACHMENT_MAX_FILES and "other_files" not in form.errors:
        form.add_error(
            "other_files",
            _("Attach at most %(n)d other documents.") % {"n": settings.ATTACHMENT_MAX_FILES},
        )
    if not form.errors:
        saved = saved_or_refused(
            request,
            form,
            save=lambda: draft_services.draft_save(
                draft=draft,
                data=draft_services.posted_data(request.POST, ignore=[HONEYPOT_FIELD]),
                contact_email=email,
                language=form.cleaned_data.get("language") or reading_language(),
                files=new_files,
                keep=kept,
                single_kinds=(*drafts.SINGLE_KINDS, *form.file_question_names()),
            ),
            saved_message=lambda kept_draft, until: (
                _(
                    "Your letter is saved. We have emailed a link to continue it to "
                    "%(email)s; it works until %(date)s."
                )
                % {"email": kept_draft.contact_email, "date": until}
            ),
        )
        if saved is not None:
            return saved
    if "contact_email" in form.errors:
        form.add_error(
            None,
            _("To save your letter for later we need the contact e-mail, to send you the link."),
        )
    uploads.warn_files_not_kept(request)
    return _letter_form_page(request, form, draft=draft, kept=kept, status=400)


def _draft_new_files(form) -> list[NewFile]:
    files = []
    if form.cleaned_data.get("signed_letter"):
        files.append(NewFile(AttachmentKind.SIGNED_LETTER, form.cleaned_data["signed_letter"]))
    for checked in form.cleaned_data.get("other_files") or []:
        files.append(NewFile(AttachmentKind.OTHER, checked))
    return files + form.question_files(for_draft=True)


def _letter_form_page(request, form, *, draft=None, kept=(), status=200):
    context = {"form": form}
    if draft is not None:
        context.update(draft=draft, draft_files=draft_files_shown(form, draft), kept=set(kept))
        context["draft_answer_files"] = any(
            getattr(f, "question_label", None) for f in context["draft_files"]
        )
    return render(request, "applications/letter_form.html", context, status=status)


def _draft_gone(request):
    return render(
        request,
        "applications/draft_gone.html",
        {"days": settings.DRAFT_EXPIRY_DAYS},
        status=410,
    )


@rate_limit("letter_draft")
@require_http_methods(["GET", "HEAD", "POST"])
def letter_draft(request, token):
    """A saved letter, through the link emailed when it was saved: every answer and
    file in place, to save again or send."""
    try:
        public_id = draft_public_id_from_token(token)
    except LinkExpired:
        return _draft_gone(request)
    except LinkInvalid:
        return _link_problem(request, expired=False)
    draft = draft_services.draft_get(public_id)
    if draft is None:
        key = request.POST.get("idempotency_key") if request.method == "POST" else None
        sent = selectors.letter_by_idempotency_key(key) if key else None
        if sent is not None:  # a second click on "Send" after the first one went through
            return redirect(reverse("applications:letter_received", args=[status_token(sent)]))
        return _draft_gone(request)
    if request.method != "POST":
        form = LetterForm()
        fill_initial(form, draft.data)
        kept = [f.pk for f in draft.files.all()]
        keep_question_files(form, draft, kept)
        return _letter_form_page(request, form, draft=draft, kept=kept)
    own = set(draft.files.values_list("pk", flat=True))
    kept = [int(pk) for pk in request.POST.getlist("keep_file") if pk.isdigit() and int(pk) in own]
    form = LetterForm(request.POST, request.FILES)
    if "save_draft" in request.POST:
        return _save_draft(request, form, draft=draft, kept=kept)
    keep_question_files(form, draft, kept)
    if form.is_valid():
        new_files = form.new_files()
        others = len([f for f in new_files if f.kind == AttachmentKind.OTHER])
        others += draft.files.filter(pk__in=kept, kind=AttachmentKind.OTHER).count()
        if others > settings.ATTACHMENT_MAX_FILES:
            form.add_error(
                "other_files",
                _("Attach at most %(n)d other documents.") % {"n": settings.ATTACHMENT_MAX_FILES},
            )
        else:
            try:
                letter = drafts.draft_submit(
                    draft=draft,
                    data=form.letter_data(),
                    files=new_files,
                    keep=files_sent(form, draft, kept),
                    idempotency_key=form.cleaned_data.get("idempotency_key"),
                    answers=form.answers(),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect(
                    reverse("applications:letter_received", args=[status_token(letter)])
                )
    uploads.warn_files_not_kept(request)
    return _letter_form_page(request, form, draft=draft, kept=kept, status=400)


def _letter_from_token(request, token):
    """The letter of a status link, or a rendered error page."""
    letter, expired = resolve(
        token, decode=letter_public_id_from_token, get=selectors.letter_get_by_public_id
    )
    if letter is None:
        return None, _link_problem(request, expired=expired)
    return letter, None


def _link_problem(request, *, expired):
    return render(
        request,
        "applications/link_problem.html",
        {"expired": expired, "form": StatusLinkRequestForm()},
        status=410 if expired else 404,
    )


def letter_received(request, token):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    return render(
        request,
        "applications/letter_received.html",
        {"letter": letter, "status_path": status_path(letter)},
    )


def letter_status(request, token):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    history = [
        {"state": log.state, "label": LetterStatus(log.state).label, "when": log.timestamp}
        for log in selectors.letter_history(letter)
        if log.state in LetterStatus.values
    ]
    return render(
        request,
        "applications/letter_status.html",
        {
            "letter": letter,
            "token": token,
            "history": history,
            "explanation": selectors.APPLICANT_STATUS_TEXT[letter.status],
            "can_edit": letter.status == LetterStatus.CHANGES_REQUESTED,
            "can_withdraw": letter.status
            in (LetterStatus.SUBMITTED, LetterStatus.CHANGES_REQUESTED, LetterStatus.REVIEWED),
            "withdraw_form": WithdrawForm(),
        },
    )


@rate_limit("letter_edit")
@require_http_methods(["GET", "HEAD", "POST"])
def letter_edit(request, token):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    if letter.status != LetterStatus.CHANGES_REQUESTED:
        messages.info(
            request, _("This letter cannot be edited now: it is not waiting for changes.")
        )
        return redirect("applications:letter_status", token=token)
    form = LetterForm(request.POST or None, request.FILES or None, instance=letter)
    if request.method == "POST" and form.is_valid():
        try:
            services.letter_resubmit(
                letter=letter,
                data=form.letter_data(),
                files=form.new_files(),
                answers=form.answers(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you. Your letter was sent again for screening."))
            return redirect("applications:letter_status", token=token)
    return render(
        request,
        "applications/letter_form.html",
        {"form": form, "letter": letter, "editing": True},
        status=400 if request.method == "POST" else 200,
    )


@rate_limit("letter_withdraw")
@require_POST
def letter_withdraw(request, token):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that you want to withdraw."))
        return redirect("applications:letter_status", token=token)
    try:
        services.letter_withdraw(letter=letter, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your letter was withdrawn."))
    return redirect("applications:letter_status", token=token)


def letter_attachment(request, token, pk):
    letter, problem = _letter_from_token(request, token)
    if problem:
        return problem
    attachment = get_object_or_404(letter.attachments, pk=pk)
    return uploads.stored_file_response(
        attachment.key, content_type=attachment.content_type, download_name=attachment.original_name
    )


@rate_limit("status_link_request")
@require_http_methods(["GET", "HEAD", "POST"])
def status_link_request(request):
    """Email fresh status links; answers the same whether or not the address is known."""
    form = StatusLinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.letter_status_links_send(email=form.cleaned_data["email"])
        messages.success(
            request,
            _("If we hold a letter for this address, we have sent it a new link."),
        )
        return redirect("applications:status_link_request")
    return render(request, "applications/status_link_request.html", {"form": form})


@rate_limit("member_onboarding")
@require_http_methods(["GET", "HEAD", "POST"])
def member_onboarding(request, token):
    """The new member's onboarding checklist, behind the link in its approval email."""
    letter, expired = None, False
    try:
        letter = selectors.letter_get_by_public_id(letter_public_id_from_onboarding_token(token))
    except LinkExpired:
        expired = True
    except LinkInvalid:
        pass
    if letter is None or letter.organisation is None:
        return render(
            request,
            "applications/onboarding_link_problem.html",
            {"expired": expired},
            status=410 if expired else 404,
        )
    if letter.status == LetterStatus.ONBOARDED:
        return render(request, "applications/onboarding_done.html", {"letter": letter})
    organisation = letter.organisation
    form = OnboardingChecklistForm(
        request.POST or None,
        request.FILES or None,
        brand_manual=selectors.brand_manual_configured(),
        initial={
            "name": organisation.name,
            "description": organisation.description,
            "website": organisation.website,
            "public_listing": letter.consent_public_listing,
            "contacts": letter.contact_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_onboarding_complete(letter=letter, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("member_onboarding", token=token)
    return render(
        request,
        "applications/onboarding_form.html",
        {
            "form": form,
            "letter": letter,
            "token": token,
            "documents": selectors.onboarding_documents(letter.language),
        },
        status=400 if request.method == "POST" else 200,
    )


def member_onboarding_document(request, token, pk):
    """A document for new members (the brand manual...), for the holder of an
    onboarding link; always as a download."""
    letter = None
    try:
        letter = selectors.letter_get_by_public_id(letter_public_id_from_onboarding_token(token))
    except LinkExpired:
        return render(
            request, "applications/onboarding_link_problem.html", {"expired": True}, status=410
        )
    except LinkInvalid:
        pass
    document = selectors.onboarding_document_get(pk)
    if letter is None or letter.organisation is None or document is None:
        return render(
            request, "applications/onboarding_link_problem.html", {"expired": False}, status=404
        )
    return uploads.stored_file_response(
        document.key, content_type=document.content_type, download_name=document.original_name
    )
