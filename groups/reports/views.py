"""Report pages: members, member × month matrix, ledger, branches (with charts), follow-up.

Anyone signed in may open the members and matrix tabs: managers for the branches they
manage, a member for their own record. The ledger, the branch matrix and the follow-up
list name other members, so they are for managers only (403 otherwise). Bad filters are
form errors on the page, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from groups import conf
from groups.attendance.headcounts import percent
from groups.permissions import manages_any_branch, own_member
from groups.reports.branches import BranchReport, BranchRow, branch_report
from groups.reports.filters import ReportFilters
from groups.reports.follow_up import follow_up_rows
from groups.reports.forms import ReportFilterForm
from groups.reports.ledger import ledger_rows
from groups.reports.matrix import matrix_report
from groups.reports.members import member_rows, totals

TABS = ["members", "matrix", "ledger", "branches", "follow-up"]
MANAGER_TABS = {"ledger", "branches", "follow-up"}
# Each tab downloads as the exporter of the same name; the follow-up list has no export.
EXPORTED_TABS = {"members", "matrix", "ledger", "branches"}


def _filter_form(request: HttpRequest, *, manager_only: bool) -> ReportFilterForm:
    """Return the bound filter form, refusing with 403 a manager-only page to a non-manager."""
    manages = manages_any_branch(request.user)
    if manager_only and not manages:
        raise PermissionDenied
    member = None if manages else own_member(request.user)
    return ReportFilterForm(request.GET, user=request.user, member=member, manages=manages)


# The tabs whose tables list a row per member or per session show this many a page; their
# totals cover every row, and the export and the print view have them all.
PAGED_TABS = {"members", "matrix", "ledger", "follow-up"}
REPORT_PAGE_ROWS = 200


def _render_tab(request: HttpRequest, tab: str, extra: dict[str, Any]) -> HttpResponse:
    form = extra["form"]
    if tab in PAGED_TABS and "rows" in extra:
        page = Paginator(extra["rows"], REPORT_PAGE_ROWS).get_page(request.GET.get("page"))
        extra = {**extra, "rows": page.object_list, "page": page}
    context = {
        "tab": tab,
        "tabs": TABS,
        "manages": "branch" in form.fields,
        "query": form.querystring(),
        "export_report": tab if tab in EXPORTED_TABS else None,
        **extra,
    }
    return render(request, f"groups/reports/{tab.replace('-', '_')}.html", context)


def _report(request: HttpRequest, tab: str, build: Any, *, printing: str = "") -> HttpResponse:
    """Render a tab (or its print template): validate the filters, then build its data.

    With bad filters nothing is built and the page shows the form's errors.
    """
    form = _filter_form(request, manager_only=tab in MANAGER_TABS)
    data: dict[str, Any] = {"form": form}
    if form.is_valid():
        data["filters"] = form.filters()
        data.update(build(data["filters"], timezone.now()))
    if printing:
        return render(request, printing, data)
    return _render_tab(request, tab, data)


def report_members(request: HttpRequest) -> HttpResponse:
    """Show each member's headcounts and attendance rate, grouped by 党小组."""

    def build(filters: ReportFilters, now: Any) -> dict[str, Any]:
        rows = member_rows(filters, now=now)
        return {"rows": rows, "total": totals(rows)}

    return _report(request, "members", build)


def report_matrix(request: HttpRequest) -> HttpResponse:
    """Show the member × month matrix of sessions by kind (✓ 假 ✗ 补)."""

    def build(filters: ReportFilters, now: Any) -> dict[str, Any]:
        matrix = matrix_report(filters, now=now)
        return {"matrix": matrix, "rows": matrix.rows}

    return _report(request, "matrix", build)


def report_ledger(request: HttpRequest) -> HttpResponse:
    """Show the 台账: one line per session held, with headcounts and the names of the missing."""
    return _report(request, "ledger", lambda f, now: {"rows": ledger_rows(f, now=now)})


def report_branches(request: HttpRequest) -> HttpResponse:
    """Show attendance per branch and month with charts, and the monthly compliance matrix."""

    def build(filters: ReportFilters, now: Any) -> dict[str, Any]:
        report = branch_report(filters, now=now)
        top = [r for r in report.rows if r.depth == 1] or report.rows[:1]
        return {"report": report, "chart_branches": top, "chart": _chart_data(report, top)}

    return _report(request, "branches", build)


def report_follow_up(request: HttpRequest) -> HttpResponse:
    """List the members absent without leave from their last N sessions in a row."""
    return _report(
        request,
        "follow-up",
        lambda f, now: {
            "rows": follow_up_rows(f, now=now),
            "absences": conf.FOLLOW_UP_ABSENCES,
        },
    )


def _percent(value: float | None) -> float | None:
    shown = percent(value)  # the rounding of the tables beside the charts
    return None if shown is None else float(shown)


def _chart_data(report: BranchReport, top: list[BranchRow]) -> dict[str, Any]:
    """Return what report-charts.js draws: rate by month, and per branch just below the root."""
    return {
        "months": {
            "labels": [f"{m.month:%Y-%m}" for m in report.month_rates],
            "rates": [_percent(m.rate) for m in report.month_rates],
        },
        "branches": {
            "labels": [r.name for r in top],
            "rates": [_percent(r.rate) for r in top],
        },
    }


def report_ledger_print(request: HttpRequest) -> HttpResponse:
    """Show the ledger as an A4 landscape page to print and bind."""
    return _report(
        request,
        "ledger",
        lambda f, now: {"rows": ledger_rows(f, now=now)},
        printing="groups/reports/ledger_print.html",
    )


# How many month × kind cells fit across A4 landscape beside the branch names and totals.
PRINT_COLUMNS = 20


def report_branches_print(request: HttpRequest) -> HttpResponse:
    """Show the branch compliance matrix on A4 landscape pages, a run of months per page."""

    def build(filters: ReportFilters, now: Any) -> dict[str, Any]:
        report = branch_report(filters, now=now)
        return {"report": report, "spans": report.spans(columns=PRINT_COLUMNS)}

    return _report(request, "branches", build, printing="groups/reports/branches_print.html")
