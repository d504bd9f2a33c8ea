from django.urls import path

from . import views

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
