"""The archive page's form: which year, and which of the two files."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Branch, StudySession

FORMATS = [("pdf", _("PDF (to print and bind)")), ("xlsx", _("XLSX (the same tables)"))]


def archive_years(branch: Branch, *, today_year: int) -> list[int]:
    """Return the years with sessions in the branch's subtree, and this year, newest first."""
    years = {
        day.year
        for day in StudySession.objects.filter(branch__path__startswith=branch.path)
        .order_by()
        .dates("starts_at", "year")
    }
    return sorted(years | {today_year}, reverse=True)


class ArchiveForm(forms.Form):
    """Choose a year the branch has records of, and PDF or XLSX."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    format = forms.ChoiceField(label=_("File"), choices=FORMATS, widget=forms.RadioSelect)

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].widget.attrs["class"] = "form-select"
        self.fields["year"].error_messages["invalid_choice"] = _(
            "Choose one of the years listed: %(value)s has no records here."
        )
