"""Forms for the organisation pages; they validate input and never write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from groups.models import Branch

# A roster of a few thousand members is well under this; it also bounds the session stash.
ROSTER_MAX_UPLOAD_BYTES = 1024 * 1024
ROSTER_EXTENSIONS = (".csv", ".xlsx")


class MemberSearchForm(forms.Form):
    """The branch page's search of its roster by name."""

    q = forms.CharField(label=_("Find a member by name"), required=False, max_length=50)


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


class BranchChoiceIterator(forms.models.ModelChoiceIterator):
    """Choices labelled with their path (branch_path_labels), in at most one more query."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        branches = list(self.queryset)
        labels = branch_path_labels(branches)
        for branch in branches:
            yield (
                forms.models.ModelChoiceIteratorValue(self.field.prepare_value(branch), branch),
                labels[branch.pk],
            )


class BranchChoiceField(forms.ModelChoiceField):
    """A branch chooser that tells apart the 第一党小组 of every 党支部.

    Each branch reads as its path below the organisation's top 党委, the same for every user
    ("第一党支部 / 第一党小组"); the top 党委 reads as its own name.
    """

    iterator = BranchChoiceIterator


def branch_path_labels(branches: list[Branch]) -> dict[int, str]:
    """Return each branch's label: its names below the tree's root, then its own."""
    if not branches:
        return {}
    step = Branch.steplen
    top = step  # the root's path: its name would begin every label
    prefixes = {b.path[:end] for b in branches for end in range(top + step, len(b.path), step)}
    # The branches between are usually among those offered; ask only for the others.
    names = {b.path: b.name for b in branches}
    missing = prefixes - names.keys()
    if missing:
        names.update(Branch.objects.filter(path__in=missing).values_list("path", "name"))
    labels = {}
    for branch in branches:
        above = [
            names.get(branch.path[:end], "") for end in range(top + step, len(branch.path), step)
        ]
        labels[branch.pk] = " / ".join([*above, branch.name])
    return labels
