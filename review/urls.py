from django.urls import path

from .views import configuration, letters, members, nominations, staff, tasks, texts
from .views.exports import ExportView, MailingListView

app_name = "review"

urlpatterns = [
    path("", letters.LetterListView.as_view(), name="letter_list"),
    path("<int:pk>/", letters.LetterDetailView.as_view(), name="letter_detail"),
    path("files/<int:pk>/", letters.AttachmentDownloadView.as_view(), name="attachment"),
    path(
        "replies/files/<int:pk>/",
        letters.ReplyAttachmentDownloadView.as_view(),
        name="reply_attachment",
    ),
    path("replies/unmatched/", letters.UnmatchedReplyListView.as_view(), name="unmatched_replies"),
    path(
        "<int:pk>/personal-data.json",
        staff.ApplicantDataExportView.as_view(),
        name="export_applicant",
    ),
    path("preferences/", staff.EmailPreferenceView.as_view(), name="email_preference"),
    path("language/", staff.StaffLanguageView.as_view(), name="staff_language"),
    path("dashboard/", staff.DashboardView.as_view(), name="dashboard"),
    path("search/", staff.SearchView.as_view(), name="search"),
    path("export/letters.csv", ExportView.as_view(export="letters_csv"), name="export_letters"),
    path(
        "export/letters.xlsx",
        ExportView.as_view(export="letters_xlsx"),
        name="export_letters_xlsx",
    ),
    path("export/members.csv", ExportView.as_view(export="members_csv"), name="export_members"),
    path(
        "export/members.xlsx",
        ExportView.as_view(export="members_xlsx"),
        name="export_members_xlsx",
    ),
    path("export/contacts.csv", ExportView.as_view(export="contacts_csv"), name="export_contacts"),
    path("export/mailing-list/", MailingListView.as_view(), name="mailing_list"),
]

urlpatterns += [
    path("nominations/", nominations.NominationListView.as_view(), name="nomination_list"),
    path(
        "nominations/<int:pk>/",
        nominations.NominationDetailView.as_view(),
        name="nomination_detail",
    ),
    path(
        "nominations/files/<int:pk>/",
        nominations.NominationAttachmentView.as_view(),
        name="nomination_attachment",
    ),
    path("tasks/", tasks.TaskInboxView.as_view(), name="task_inbox"),
    path("tasks/<int:task_pk>/", tasks.task_page, name="task"),
    path("members/", members.MemberListView.as_view(), name="member_list"),
    path("members/<int:pk>/", members.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/<slug:step>/", members.MemberStepView.as_view(), name="member_step"),
    path("calls/", nominations.CallListView.as_view(), name="call_list"),
    path("calls/new/", nominations.CallEditView.as_view(), name="call_create"),
    path("calls/<int:pk>/edit/", nominations.CallEditView.as_view(), name="call_edit"),
]

# The Secretariat's own area (permission applications.edit_texts): texts, settings,
# extra questions.
urlpatterns += [
    path("texts/", texts.TextListView.as_view(), name="text_list"),
    path(
        "texts/emails/<slug:event>/<slug:audience>/",
        texts.TextEditView.as_view(),
        name="text_email",
    ),
    path("texts/pages/<slug:name>/", texts.TextEditView.as_view(), name="text_page"),
    path("texts/versions/<int:pk>/restore/", texts.TextRestoreView.as_view(), name="text_restore"),
    path("settings/", configuration.SettingsView.as_view(), name="settings"),
    path("settings/<slug:key>/", configuration.SettingEditView.as_view(), name="setting_edit"),
    path(
        "settings/versions/<int:pk>/restore/",
        configuration.SettingRestoreView.as_view(),
        name="setting_restore",
    ),
    path("questions/", configuration.QuestionListView.as_view(), name="question_list"),
    path("questions/new/", configuration.QuestionEditView.as_view(), name="question_create"),
    path("questions/<int:pk>/", configuration.QuestionEditView.as_view(), name="question_edit"),
    path(
        "questions/<int:pk>/retire/",
        configuration.QuestionRetireView.as_view(),
        name="question_retire",
    ),
]
