"""Report downloads: any report of the registry as CSV or XLSX, for managers and staff."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from groups import conf, permissions
from groups.exports.exporters import EXPORTERS
from groups.exports.jobs import export_job_start
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
    # A cheap COUNT first: a file too big to write within the request becomes a job.
    if exporter.count() > conf.EXPORT_JOB_ROWS:
        job = export_job_start(
            owner=request.user,
            report=exporter.identifier,
            file_format=file_format,
            form=form,
            exporter=exporter,
        )
        return redirect("jobs:job-detail", job.pk)
    return export_response(exporter, file_format=file_format)


def _refuse(request: HttpRequest, errors: list[str]) -> HttpResponse:
    """Show why the export cannot be made (400)."""
    return render(request, "groups/exports/export_refused.html", {"errors": errors}, status=400)
