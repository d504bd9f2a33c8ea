"""The public directory, under members/; its names have no namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/logo.png", views.member_logo, name="member_logo"),
]
