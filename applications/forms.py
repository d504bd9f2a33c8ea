"""Form parts that letters and nominations share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.abuse import HoneypotFormMixin


class WithdrawalForm(HoneypotFormMixin, forms.Form):
    """Confirm a withdrawal, with an optional reason; ``confirm_label`` says what goes."""

    confirm_label = ""

    confirm = forms.BooleanField()
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = self.confirm_label
