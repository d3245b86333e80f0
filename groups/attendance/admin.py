"""Admin for attendance, with its history; status and note change through the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from groups.attendance.services import attendance_record
from groups.models import Attendance


class AttendanceAdminForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["status", "note"]

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if self.instance.status and not status:
            raise forms.ValidationError(_("Taken attendance cannot be cleared; change it."))
        return status


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    """Rows come from scheduling and go with their session: only status and note change here."""

    form = AttendanceAdminForm
    list_display = ["member", "session", "member_branch", "category", "status", "updated_at"]
    list_filter = ["status", "has_vote", "category"]
    list_select_related = ["member", "session__kind", "member_branch", "category"]
    search_fields = ["member__name", "session__topic"]
    date_hierarchy = "session__starts_at"
    fields = [
        "session",
        "member",
        "member_branch",
        "category",
        "has_vote",
        "status",
        "note",
        "checked_in_at",
        "updated_by",
        "updated_at",
    ]
    readonly_fields = [f for f in fields if f not in ("status", "note")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only an untaken row may go, with the session deleted by mistake it belongs to.
        return obj is not None and not obj.status and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Attendance, form: Any, change: bool) -> None:
        # Through the service, so the row is locked and who changed it is recorded.
        # Editing a row in the admin is deliberate: a date before the start is recorded as such.
        attendance_record(
            attendance=obj, status=obj.status, note=obj.note, by=request.user, before_start=True
        )
