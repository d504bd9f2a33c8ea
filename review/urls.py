from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.LetterListView.as_view(), name="letter_list"),
    path("<int:pk>/", views.LetterDetailView.as_view(), name="letter_detail"),
    path("files/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
]
