from django.contrib import admin
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .models import GroupLead


@admin.register(GroupLead)
class GroupLeadAdmin(admin.ModelAdmin):
    list_display = ["group", "user"]


# Django's admin keeps its look but carries the Alliance's name, and its "View site"
# link goes back to the staff workspace.
admin.site.site_header = _("Global Alliance for Care · administration")
admin.site.site_title = _("Global Alliance for Care")
admin.site.index_title = _("Administration")
admin.site.site_url = reverse_lazy("review:task_inbox")
