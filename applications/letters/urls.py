from django.urls import path

from . import views

urlpatterns = [
    path("apply/", views.letter_create, name="letter_create"),
    path("apply/draft/<str:token>/", views.letter_draft, name="letter_draft"),
    path("letters/link/", views.status_link_request, name="status_link_request"),
    path("letters/<str:token>/received/", views.letter_received, name="letter_received"),
    path("letters/<str:token>/", views.letter_status, name="letter_status"),
    path("letters/<str:token>/edit/", views.letter_edit, name="letter_edit"),
    path("letters/<str:token>/withdraw/", views.letter_withdraw, name="letter_withdraw"),
    path("letters/<str:token>/files/<int:pk>/", views.letter_attachment, name="letter_attachment"),
]

# Under members/, named without a namespace (their names are older than it).
onboarding_urlpatterns = [
    path("onboarding/<str:token>/", views.member_onboarding, name="member_onboarding"),
    path(
        "onboarding/<str:token>/documents/<int:pk>/",
        views.member_onboarding_document,
        name="member_onboarding_document",
    ),
]
