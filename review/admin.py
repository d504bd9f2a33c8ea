from django.contrib import admin
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

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
# The staff's second factor (config/second_factor.py). django-otp's own admin shows
# every device's secret key (and its QR code) and the recovery codes in clear: a
# superuser could copy anyone's second factor. Here a device can be seen and
# deleted (a lost phone: the staff member enrols again at their next login), never
# read nor made.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class _SecondFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(_SecondFactorDeviceAdmin):
    pass


@admin.register(StaticDevice)
class StaticDeviceAdmin(_SecondFactorDeviceAdmin):
    pass
