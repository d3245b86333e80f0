"""Study task pages: the list, issuing one, the dashboard per target branch, its export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.exports.writers import csv_response, xlsx_response
from groups.permissions import get_task_for_user, may_issue_tasks, require_task_issuer
from groups.sessions.views import form_error
from groups.tasks import services
from groups.tasks.forms import TaskForm
from groups.tasks.selectors import (
    completion_curve,
    dashboard_table,
    task_list,
    task_rows,
    task_summary,
)


def task_list_view(request: HttpRequest) -> HttpResponse:
    """List the tasks the user issued and those issued to the branches they manage."""
    tasks = task_list(request.user)
    context = {
        "issued": list(tasks["issued"]),
        "received": list(tasks["received"]),
        "may_issue": may_issue_tasks(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "groups/tasks/task_list.html", context)


def task_create(request: HttpRequest) -> HttpResponse:
    """Issue a study task to the 党支部 of a 党委 or 党总支 (or, for staff, everywhere)."""
    require_task_issuer(request.user)
    form = TaskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(user=request.user, **form.task_fields())
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The study task is issued."))
            return redirect(task)
    return render(request, "groups/tasks/task_form.html", {"form": form})


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the task's dashboard: one row per target branch the user follows."""
    task = get_task_for_user(request.user, pk)
    rows = task_rows(request.user, task)
    context = {
        "task": task,
        "rows": rows,
        "summary": task_summary(rows),
        "chart": completion_curve(task, rows),
        "today": timezone.localdate(),
    }
    return render(request, "groups/tasks/task_detail.html", context)


def task_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download the dashboard as CSV (default) or XLSX."""
    task = get_task_for_user(request.user, pk)
    file_format = request.GET.get("format") or "csv"
    if file_format not in ("csv", "xlsx"):
        raise Http404(_("Unknown export format."))
    table = dashboard_table(task_rows(request.user, task), deadline=task.deadline)
    filename = f"{task.title}-{task.deadline:%Y%m%d}"
    if file_format == "xlsx":
        return xlsx_response(table, filename=f"{filename}.xlsx", sheet_title=_("Study task"))
    return csv_response(table, filename=f"{filename}.csv")
