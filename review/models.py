"""The review process of one letter, as viewflow tracks it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class LetterProcess(Process):
    """A viewflow process bound to exactly one letter."""

    letter = models.OneToOneField(
        "applications.Letter", on_delete=models.CASCADE, related_name="process"
    )

    class Meta:
        verbose_name = _("letter review")
        verbose_name_plural = _("letter reviews")

    def __str__(self):
        return str(self.letter.organisation_name)


class GroupLead(models.Model):
    """The person told when a task of the group waits more than twice its deadline."""

    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="lead")
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("group lead")
        verbose_name_plural = _("group leads")

    def __str__(self):
        return f"{self.group}: {self.user}"


class TaskReminder(models.Model):
    """A reminder or escalation sent for a task; at most one of a kind per task and day."""

    REMINDER = "reminder"
    ESCALATION = "escalation"

    task = models.ForeignKey("viewflow.Task", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "day"], name="one_reminder_a_day")
        ]

    def __str__(self):
        return f"{self.kind} {self.task_id} {self.day}"


class NominationProcess(Process):
    """A viewflow process bound to exactly one nomination."""

    nomination = models.OneToOneField(
        "applications.Nomination", on_delete=models.CASCADE, related_name="process"
    )

    class Meta:
        verbose_name = _("nomination review")
        verbose_name_plural = _("nomination reviews")

    def __str__(self):
        return str(self.nomination.nominee_name)


class ReconfirmationProcess(Process):
    """The Secretariat's follow-up of a member's yearly re-confirmation left
    unanswered for 60 days (one a round; never an automatic end)."""

    organisation = models.ForeignKey(
        "applications.Organisation",
        on_delete=models.CASCADE,
        related_name="reconfirmation_follow_ups",
    )

    class Meta:
        verbose_name = _("re-confirmation follow-up")
        verbose_name_plural = _("re-confirmation follow-ups")
        permissions = [
            (
                "follow_up_reconfirmation",
                "Can follow up unanswered yearly re-confirmations (secretariat)",
            )
        ]

    def __str__(self):
        return str(self.organisation.name)
