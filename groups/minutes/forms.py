"""Forms for the minutes and their attachments; they validate, the services write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from groups.minutes.uploads import check_upload
from groups.models import Minutes


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Minutes
        fields = ["topics", "key_points", "resolutions", "vote_results"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return upload
