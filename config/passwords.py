"""The staff password-reset form, answered in constant time (see
``notifications.passwords``): whatever the address, the request validates the
form and queues one task, and the page says the same thing."""

from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import get_language

from notifications.passwords import password_reset_send


class OutboxPasswordResetForm(PasswordResetForm):
    def save(self, *args, **kwargs):
        password_reset_send.enqueue(self.cleaned_data["email"], get_language() or "en")


class _PlainHelp:
    """The new password's rules as one sentence: Django gives them as a list in
    HTML, which our fields put inside a paragraph (not valid HTML)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


class StaffPasswordChangeForm(_PlainHelp, PasswordChangeForm):
    pass


class StaffSetPasswordForm(_PlainHelp, SetPasswordForm):
    pass
