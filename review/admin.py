from django.contrib import admin

from .models import GroupLead


@admin.register(GroupLead)
class GroupLeadAdmin(admin.ModelAdmin):
    list_display = ["group", "user"]
