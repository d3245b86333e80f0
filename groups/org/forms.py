"""Forms for the organisation pages; they validate input and never write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# A roster of a few thousand members is well under this; it also bounds the session stash.
ROSTER_MAX_UPLOAD_BYTES = 1024 * 1024
ROSTER_EXTENSIONS = (".csv", ".xlsx")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "CSV or XLSX with the columns 姓名, 性别, 出生日期, 手机号, 人员类别, 入党时间, "
            "转正时间, 所在支部 and optionally 所在党小组 — the format of the roster export."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ROSTER_EXTENSIONS)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ROSTER_EXTENSIONS):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > ROSTER_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)s."),
                params={"limit": filesizeformat(ROSTER_MAX_UPLOAD_BYTES)},
            )
        return upload


class RosterExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "XLSX")], required=False, initial="csv"
    )
