"""The public directory, under members/; its names have no namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/logo.png", views.member_logo, name="member_logo"),
    path("link/", views.member_link_request, name="member_link_request"),
    path("self/<str:token>/", views.member_self_service, name="member_self_service"),
    path("self/<str:token>/contacts/new/", views.member_contact_add, name="member_contact_add"),
    path(
        "self/<str:token>/contacts/<int:pk>/",
        views.member_contact_edit,
        name="member_contact_edit",
    ),
    path(
        "self/<str:token>/contacts/<int:pk>/remove/",
        views.member_contact_remove,
        name="member_contact_remove",
    ),
    path("self/<str:token>/end/", views.member_end, name="member_end"),
    path("self/<str:token>/reconfirm/", views.member_reconfirm, name="member_reconfirm"),
    path("email/<str:token>/", views.member_email_confirm, name="member_email_confirm"),
]
