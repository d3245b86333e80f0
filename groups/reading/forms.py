"""Forms for reading: the study note a member writes on a section."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models.reading import NOTE_MAX_LENGTH


class StudyNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Study note"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Visible to you and your branch's managers. Leave empty to delete it."),
    )
