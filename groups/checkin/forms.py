"""Forms for self check-in: the short code a member types, the token a QR link carries."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.checkin.codes import CODE_DIGITS, normalise_code


class CheckinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=20,
        help_text=_("The 6-digit code shown on the screen at the session."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "class": "form-control-lg",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_DIGITS or not code.isdigit():
            raise forms.ValidationError(_("Type the 6 digits shown on the screen."))
        return code


class CheckinTokenForm(forms.Form):
    token = forms.CharField(max_length=200, widget=forms.HiddenInput)
