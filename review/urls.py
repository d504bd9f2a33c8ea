from django.urls import path

from . import nomination_views, views

app_name = "review"

urlpatterns = [
    path("", views.LetterListView.as_view(), name="letter_list"),
    path("<int:pk>/", views.LetterDetailView.as_view(), name="letter_detail"),
    path("files/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path(
        "<int:pk>/personal-data.json",
        views.ApplicantDataExportView.as_view(),
        name="export_applicant",
    ),
    path("preferences/", views.EmailPreferenceView.as_view(), name="email_preference"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("export/letters.csv", views.LettersExportView.as_view(), name="export_letters"),
    path("export/members.csv", views.MembersExportView.as_view(), name="export_members"),
]

urlpatterns += [
    path("nominations/", nomination_views.NominationListView.as_view(), name="nomination_list"),
    path(
        "nominations/<int:pk>/",
        nomination_views.NominationDetailView.as_view(),
        name="nomination_detail",
    ),
    path(
        "nominations/files/<int:pk>/",
        nomination_views.NominationAttachmentView.as_view(),
        name="nomination_attachment",
    ),
    path("tasks/", nomination_views.TaskInboxView.as_view(), name="task_inbox"),
    path("calls/", nomination_views.CallListView.as_view(), name="call_list"),
    path("calls/new/", nomination_views.CallEditView.as_view(), name="call_create"),
    path("calls/<int:pk>/edit/", nomination_views.CallEditView.as_view(), name="call_edit"),
]
