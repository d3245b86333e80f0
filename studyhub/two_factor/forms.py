from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

APP_CODE = re.compile(r"[0-9]{6}")
# django-otp's backup codes: 8 characters of lower-case base32.
BACKUP_CODE = re.compile(r"[a-z2-7]{8}")


def _normalised(value: str) -> str:
    """Drop the spaces and dashes people type inside a code; backup codes ignore case."""
    return re.sub(r"[\s-]", "", value).lower()


class _CodeFieldForm(forms.Form):
    def __init__(self, *args, autofocus: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["code"].widget.attrs["autofocus"] = True


class AppCodeForm(_CodeFieldForm):
    """The 6-digit code an authenticator app shows, to prove it was set up."""

    code = forms.CharField(
        label=pgettext_lazy("two-step verification", "Code from the app"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = _normalised(self.cleaned_data["code"])
        if not APP_CODE.fullmatch(code):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return code


class CodeForm(_CodeFieldForm):
    """A code from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label=pgettext_lazy("two-step verification", "Code"),
        help_text=_("The 6 digits your authenticator app shows, or one of your backup codes."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = _normalised(self.cleaned_data["code"])
        if not (APP_CODE.fullmatch(code) or BACKUP_CODE.fullmatch(code)):
            raise forms.ValidationError(
                _("Enter the 6 digits your authenticator app shows, or an 8-character backup code.")
            )
        return code
