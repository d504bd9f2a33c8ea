"""Staff pages of letters: the list with its filters and bulk assign, a letter's
page, its files."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import generic

from applications.choices import LetterStatus
from applications.configuration.selectors import checklist_labels
from applications.exceptions import DomainError, NotPermitted
from applications.letters import selectors as letter_selectors
from applications.models import Attachment, Letter, LetterReply, ReplyAttachment
from applications.questions.selectors import answer_rows
from notifications.models import UNDELIVERED

from .. import forms
from .. import selectors as review_selectors
from ..history import history_rows
from ..selectors import letter_open_task, letter_outbox
from ..task_actions import task_assign
from .staff import StaffMixin, StoredFileView, open_task_context

User = get_user_model()


def checklist_rows(checklist: dict) -> list[tuple[str, bool]]:
    """(label, ticked) of a stored screening, with the labels of the items it had
    (also items the Secretariat removed since)."""
    if not checklist:
        return []
    labels = checklist_labels()
    return [(labels.get(key, key), ticked) for key, ticked in checklist.items()]


def letter_context(letter, user) -> dict:
    emails = list(letter_outbox(letter))
    return {
        "letter": letter,
        "matches": letter_selectors.letter_matches(letter),
        "changes": letter_selectors.letter_changes(letter),
        "checklist": checklist_rows(letter.screening_checklist),
        "answers": answer_rows(letter.answers),
        "history": history_rows(letter_selectors.letter_history(letter), LetterStatus),
        "attachments": letter.attachments.all(),
        # Read once, shown twice (the replies and the history).
        "replies": list(letter.replies.prefetch_related("attachments")),
        "emails": emails,
        # The applicant's undelivered emails, from the same read as the list.
        "bounces": sorted(
            (
                mail
                for mail in emails
                if mail.audience == "applicant" and mail.delivery_status in UNDELIVERED
            ),
            key=lambda mail: (mail.delivery_event_at or mail.created_at, mail.pk),
        ),
    }


class LetterListView(StaffMixin, generic.ListView):
    """All letters with their open task: filters, search, sort, overdue, bulk assign."""

    template_name = "review/letter_list.html"
    paginate_by = 25

    def get_filters(self):
        return forms.InboxFilterForm(self.request.GET or None)

    def get_queryset(self):
        self.filters = self.get_filters()
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return review_selectors.inbox_letters(
            status=data.get("status") or "",
            constituency=data.get("constituency") or "",
            country=data.get("country") or "",
            overdue=bool(data.get("overdue")),
            open_only=bool(data.get("open")),
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or "oldest",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        letters = context["object_list"]
        review_selectors.annotate_deadlines(letters)
        owners = User.objects.in_bulk({letter.open_task_owner_id for letter in letters} - {None})
        for letter in letters:
            letter.task_owner = owners.get(letter.open_task_owner_id)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filters=self.filters, querystring=query.urlencode())
        return context

    def post(self, request, *args, **kwargs):
        """Bulk assign: take the open tasks of the selected letters."""
        ids = [int(pk) for pk in request.POST.getlist("letters") if pk.isdigit()]
        taken, refused = [], []
        for letter in Letter.objects.filter(pk__in=ids).order_by("pk"):
            task = letter_open_task(letter=letter)
            try:
                if task is None or task.flow_task.name not in review_selectors.STAFF_NODES:
                    raise NotPermitted(_("no open task"))
                task_assign(task=task, user=request.user)
                taken.append(letter.organisation_name)
            except DomainError as error:
                refused.append(
                    _("Not assigned: %(name)s. %(reason)s")
                    % {"name": letter.organisation_name, "reason": error.message}
                )
        # One line per selected letter: what was assigned, and why the others were not.
        if taken:
            messages.success(request, _("%(n)d tasks assigned to you.") % {"n": len(taken)})
        for name in taken:
            messages.success(request, _("Assigned to you: %(name)s.") % {"name": name})
        for line in refused:
            messages.warning(request, line)
        if not ids:
            messages.info(request, _("Select at least one letter."))
        return redirect(request.get_full_path())


class LetterDetailView(StaffMixin, generic.DetailView):
    model = Letter
    template_name = "review/letter_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(letter_context(self.object, self.request.user))
        task = letter_open_task(letter=self.object)
        context.update(open_task_context(obj=self.object, task=task, user=self.request.user))
        return context


class AttachmentDownloadView(StaffMixin, StoredFileView):
    model = Attachment


class ReplyAttachmentDownloadView(StaffMixin, StoredFileView):
    """A stored file of a received reply, as a download; a refused one was never kept."""

    model = ReplyAttachment.objects.filter(refused="").exclude(key="")


class UnmatchedReplyListView(StaffMixin, generic.ListView):
    """Received emails that are on no letter: no signed reply address, or a forged one."""

    template_name = "review/unmatched_replies.html"
    context_object_name = "replies"
    paginate_by = 50

    def get_queryset(self):
        return LetterReply.objects.filter(letter=None, nomination=None).prefetch_related(
            "attachments"
        )
