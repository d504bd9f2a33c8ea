"""The staff password-reset form, answered in constant time (see
``notifications.passwords``): whatever the address, the request validates the
form and queues one task, and the page says the same thing."""

from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import get_language

from notifications.passwords import password_reset_send


class OutboxPasswordResetForm(PasswordResetForm):
    def save(self, *args, **kwargs):
        password_reset_send.enqueue(self.cleaned_data["email"], get_language() or "en")
