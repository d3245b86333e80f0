"""The reports' filter form (GET): branch subtree, period, session kinds, member categories."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.dates import day_out_of_range
from groups.models import Member, MemberCategory, SessionKind
from groups.org.forms import BranchChoiceField
from groups.permissions import managed_branches
from groups.reports.filters import ReportFilters
from studyhub.fields import ModelMultipleChoiceField
from studyhub.widgets import DateInput

# A longer period makes the per-branch report run one compliance pass per month for long.
MAX_REPORT_DAYS = 3 * 366

DATE_INPUT = {"class": "form-control"}
MULTI_SELECT = {"class": "form-select", "size": 4}


class ReportFilterForm(forms.Form):
    """Filters of every report and export; ``filters()`` gives the ReportFilters to pass on.

    Unbound or with parameters missing, it falls back on the defaults: the user's top
    managed branch, the current year to date, all kinds and categories. A user who manages
    no branch gets no branch field and sees only their own record.
    """

    branch = BranchChoiceField(
        label=_("Branch"),
        queryset=None,
        error_messages={
            "invalid_choice": _("Choose a branch you manage: that one is unknown or not yours.")
        },
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput(attrs=DATE_INPUT))
    date_to = forms.DateField(label=_("To"), widget=DateInput(attrs=DATE_INPUT))
    kinds = ModelMultipleChoiceField(
        label=_("Session kinds"),
        queryset=SessionKind.objects.all(),
        required=False,
        help_text=_("None chosen: all kinds."),
        widget=forms.SelectMultiple(attrs=MULTI_SELECT),
    )
    categories = ModelMultipleChoiceField(
        label=_("Member categories"),
        queryset=MemberCategory.objects.all(),
        required=False,
        help_text=_("None chosen: all categories."),
        widget=forms.SelectMultiple(attrs=MULTI_SELECT),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        user: Any,
        member: Member | None = None,
        manages: bool | None = None,
        today: date | None = None,
        **kwargs: Any,
    ) -> None:
        """Bind GET data over the defaults; member is the user's own profile, if any; manages,
        whether the user manages a branch, if the caller knows already."""
        self.user = user
        self.member = member
        today = today or timezone.localdate()
        self.today = today
        managed = managed_branches(user).order_by("path")
        self.manages = managed.exists() if manages is None else manages
        merged: dict[str, Any] = {
            "date_from": date(today.year, 1, 1).isoformat(),
            "date_to": today.isoformat(),
        }
        if data is not None:
            for key in ("branch", "date_from", "date_to"):
                if data.get(key):
                    merged[key] = data.get(key)
            for key in ("kinds", "categories"):
                merged[key] = data.getlist(key) if hasattr(data, "getlist") else data.get(key, [])
        super().__init__(merged, **kwargs)
        if self.manages:
            self.fields["branch"].queryset = managed
            if "branch" not in merged:
                self.data["branch"] = str(managed.values_list("pk", flat=True).first())
        else:
            del self.fields["branch"]

    def clean_date_from(self) -> date:
        return self._check_bounds(self.cleaned_data["date_from"])

    def clean_date_to(self) -> date:
        return self._check_bounds(self.cleaned_data["date_to"])

    def _check_bounds(self, day: date) -> date:
        problem = day_out_of_range(day, today=self.today)
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("The end of the period comes before its start."))
            elif (end - start).days > MAX_REPORT_DAYS:
                self.add_error("date_to", _("Choose a period of at most three years for a report."))
        if not self.manages and self.member is None:
            raise forms.ValidationError(_("You have no attendance record to report on."))
        return data

    def filters(self) -> ReportFilters:
        """Return the validated filters (call after is_valid())."""
        data = self.cleaned_data
        return ReportFilters(
            start=data["date_from"],
            end=data["date_to"],
            root=data.get("branch"),
            member=None if self.manages else self.member,
            kinds=tuple(data.get("kinds") or ()),
            categories=tuple(data.get("categories") or ()),
        )

    def querystring(self) -> str:
        """Return the bound filters as a query string (for tabs and download links)."""
        query = QueryDict(mutable=True)
        for key in ("branch", "date_from", "date_to"):
            if self.data.get(key):
                query[key] = self.data[key]
        for key in ("kinds", "categories"):
            values = self.data.get(key) or []
            query.setlist(key, [str(v) for v in values])
        return query.urlencode()
