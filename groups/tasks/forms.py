"""The study task form (issuing a task); it only validates, task_create() writes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Branch, BranchKind, SessionKind
from groups.org.forms import BranchChoiceField
from groups.permissions import issuing_branches, managed_branches
from groups.sessions.forms import ReadingFieldsMixin, check_sane_day
from lessons.permissions import is_staff
from studyhub.fields import ModelMultipleChoiceField
from studyhub.widgets import DateInput

COUNTING_KINDS = (SessionKind.STUDY, SessionKind.LECTURE, SessionKind.THEMED_DAY)


class TaskForm(ReadingFieldsMixin, forms.Form):
    """Issue a study task: from which 党委/党总支, what to study, by when, for which 党支部."""

    issuer = BranchChoiceField(
        label=_("Issued by"),
        queryset=Branch.objects.none(),
        required=False,
        help_text=_("Staff may leave this empty to issue the task to the whole organisation."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    kinds = ModelMultipleChoiceField(
        label=_("Session kinds that count"),
        queryset=SessionKind.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    requires_reading = forms.BooleanField(
        label=_("Members must mark the sections read"), required=False, initial=True
    )
    requires_notes = forms.BooleanField(label=_("Members must write a study note"), required=False)
    targets = ModelMultipleChoiceField(
        label=_("Target branches"),
        queryset=Branch.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("None chosen: every 党支部 under the issuing organisation."),
    )

    field_order = [
        "issuer",
        "title",
        "lecture",
        "sections",
        "kinds",
        "deadline",
        "requires_reading",
        "requires_notes",
        "targets",
    ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"kinds": list(SessionKind.objects.filter(code__in=COUNTING_KINDS))},
        )
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["issuer"].queryset = issuing_branches(user).select_related("kind")
        self.fields["issuer"].required = not is_staff(user)
        self.fields["targets"].queryset = (
            managed_branches(user).active().filter(kind__code=BranchKind.BRANCH)
        )
        self.fields["sections"].required = True
        self.setup_reading()

    def clean_deadline(self) -> date:
        deadline = self.cleaned_data["deadline"]
        check_sane_day(deadline)
        return deadline

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_reading(cleaned)
        return cleaned

    def task_fields(self) -> dict[str, Any]:
        """Return the cleaned values as task_create() takes them."""
        names = ["issuer", "title", "sections", "kinds", "deadline", "requires_reading"]
        names += ["requires_notes", "targets"]
        return {name: self.cleaned_data[name] for name in names}
