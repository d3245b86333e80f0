"""Forms for leave, make-up study and minutes; they validate, the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.leave.makeup import NOTE_MAX_LENGTH
from groups.leave.services import REASON_MAX_LENGTH


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for leave"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. on a business trip")}),
    )


class LeaveRejectForm(forms.Form):
    note = forms.CharField(label=_("Reason for rejecting"), max_length=REASON_MAX_LENGTH)


class MakeUpForm(forms.Form):
    note = forms.CharField(
        label=_("What I learnt (学习心得)"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Write it after reading the assigned sections and the minutes."),
    )
