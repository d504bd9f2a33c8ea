from django.contrib import admin
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset

from applications import views as application_views
from review.site import site

urlpatterns = [
    path("", application_views.home, name="home"),
    path("members/", application_views.directory, name="directory"),
    path("members/<int:pk>/", application_views.member_detail, name="member_detail"),
    path("", include("applications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("admin/", admin.site.urls),
    path("staff/letters/", include("review.urls")),
    path("review/", site.urls),
]
handler403 = "review.views.permission_denied"
