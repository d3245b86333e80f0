"""Report downloads: any report of the registry as CSV or XLSX, for managers and staff."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from groups import conf, permissions
from groups.exports.exporters import EXPORTERS
from groups.exports.writers import export_response
from groups.reports.forms import ReportFilterForm

FORMATS = ("csv", "xlsx")


def report_export(request: HttpRequest) -> HttpResponseBase:
    """Download a report (?report=…&format=csv|xlsx plus the report filters)."""
    if not permissions.manages_any_branch(request.user):
        raise PermissionDenied
    exporter_class = EXPORTERS.get(request.GET.get("report", ""))
    file_format = request.GET.get("format", "csv")
    errors = []
    if exporter_class is None:
        errors.append(_("Unknown report: choose one of %s.") % ", ".join(EXPORTERS))
    if file_format not in FORMATS:
        errors.append(_("Unknown file format: choose CSV or XLSX."))
    form = ReportFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        errors.extend(error for field_errors in form.errors.values() for error in field_errors)
    if errors:
        return _refuse(request, errors)
    exporter = exporter_class(form.filters())
    if file_format == "xlsx":
        # A cheap COUNT first: a file too big to write in seconds is refused, not queued.
        rows = exporter.count()
        if rows > conf.XLSX_MAX_ROWS:
            message = _(
                "This export has %(rows)s rows, more than the %(limit)s an XLSX download "
                "may hold. Download it as CSV (it streams at any size), or ask an "
                "administrator to run the export_attendance command."
            ) % {"rows": f"{rows:,}", "limit": f"{conf.XLSX_MAX_ROWS:,}"}
            return _refuse(request, [message], csv_query=_with_format(request, "csv"))
    return export_response(exporter, file_format=file_format)


def _with_format(request: HttpRequest, file_format: str) -> str:
    query = request.GET.copy()
    query["format"] = file_format
    return query.urlencode()


def _refuse(request: HttpRequest, errors: list[str], *, csv_query: str = "") -> HttpResponse:
    """Show why the export cannot be made (400), with the way to get it where there is one."""
    return render(
        request,
        "groups/exports/export_refused.html",
        {"errors": errors, "csv_query": csv_query},
        status=400,
    )
