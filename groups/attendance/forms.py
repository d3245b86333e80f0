"""The attendance form: a status and a note per expected member (validation only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Attendance


def status_field(member_id: int) -> str:
    return f"status-{member_id}"


def note_field(member_id: int) -> str:
    return f"note-{member_id}"


class AttendanceSheetForm(forms.Form):
    """Validate the posted rows of the attendance page, or the one row an htmx click sends.

    Fields are named per member (``status-<id>``, ``note-<id>``) so the whole page is one
    plain HTML form; templates render the inputs themselves, which keeps 300 rows fast.
    """

    # When the form was shown: rows changed by someone else since keep their change.
    seen_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    # Ticked to take attendance before the session starts (the rows are flagged as such).
    confirm_early = forms.BooleanField(required=False)

    def __init__(self, *args: Any, member_ids: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_ids = list(member_ids)
        for member_id in self.member_ids:
            self.fields[status_field(member_id)] = forms.ChoiceField(
                label=_("status"), choices=Attendance.Status.choices, required=False
            )
            self.fields[note_field(member_id)] = forms.CharField(
                label=_("note"),
                max_length=Attendance._meta.get_field("note").max_length,
                required=False,
            )

    def entries(self) -> dict[int, tuple[str, str]]:
        """Return member id → (status, note) for the rows the form posted."""
        return {
            member_id: (
                self.cleaned_data[status_field(member_id)],
                self.cleaned_data[note_field(member_id)],
            )
            for member_id in self.member_ids
            if status_field(member_id) in self.data or note_field(member_id) in self.data
        }
