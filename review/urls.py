from django.urls import path

from .views import letters, nominations, staff, tasks

app_name = "review"

urlpatterns = [
    path("", letters.LetterListView.as_view(), name="letter_list"),
    path("<int:pk>/", letters.LetterDetailView.as_view(), name="letter_detail"),
    path("files/<int:pk>/", letters.AttachmentDownloadView.as_view(), name="attachment"),
    path(
        "<int:pk>/personal-data.json",
        staff.ApplicantDataExportView.as_view(),
        name="export_applicant",
    ),
    path("preferences/", staff.EmailPreferenceView.as_view(), name="email_preference"),
    path("dashboard/", staff.DashboardView.as_view(), name="dashboard"),
    path("export/letters.csv", staff.LettersExportView.as_view(), name="export_letters"),
    path("export/members.csv", staff.MembersExportView.as_view(), name="export_members"),
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
    path("calls/", nominations.CallListView.as_view(), name="call_list"),
    path("calls/new/", nominations.CallEditView.as_view(), name="call_create"),
    path("calls/<int:pk>/edit/", nominations.CallEditView.as_view(), name="call_edit"),
]
