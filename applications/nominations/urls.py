from django.urls import path

from . import views

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/<uuid:public_id>/", views.call_detail, name="call_detail"),
    path(
        "calls/<uuid:public_id>/link/",
        views.nomination_link_request,
        name="nomination_link_request",
    ),
    path("nominate/<str:token>/", views.nomination_create, name="nomination_create"),
    path("nominate/draft/<str:token>/", views.nomination_draft, name="nomination_draft"),
    path("nominations/<str:token>/", views.nomination_status, name="nomination_status"),
    path(
        "nominations/<str:token>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"
    ),
    path("consent/<str:token>/", views.nomination_consent, name="nomination_consent"),
]
