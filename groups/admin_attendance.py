"""Admin for attendance (with its history) and a clear refusal to delete a session it records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from groups import admin_sessions  # noqa: F401 - the session admin this module extends
from groups.attendance import attendance_record
from groups.models import Attendance, StudySession


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
        attendance_record(attendance=obj, status=obj.status, note=obj.note, by=request.user)


def _taken_sessions(objs: Any) -> list[str]:
    """Return a line for each session among objs whose attendance was taken."""
    taken = (
        Attendance.objects.filter(session__in=[obj.pk for obj in objs])
        .exclude(status="")
        .values("session_id")
        .annotate(rows=Count("pk"))
    )
    counts = {row["session_id"]: row["rows"] for row in taken}
    return [
        _(
            "%(session)s: attendance was taken (%(count)d members). "
            "A session with attendance cannot be deleted: cancel it instead."
        )
        % {"session": obj, "count": counts[obj.pk]}
        for obj in objs
        if obj.pk in counts
    ]


# The session admin is extended rather than edited: deleting a session whose attendance
# was taken is refused by a pre_delete signal (a 500 in the admin); listing the taken
# attendance as "protected" makes the admin show why and offer no delete button instead.
_SessionAdmin = type(admin.site.get_model_admin(StudySession))


class StudySessionAdmin(_SessionAdmin):
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        taken = _taken_sessions(objs)
        if taken:
            # Taken rows may not be deleted, but saying "no permission" would hide why.
            attendance = str(Attendance._meta.verbose_name)
            perms_needed = {name for name in perms_needed if str(name) != attendance}
        return deleted, model_count, perms_needed, [*protected, *taken]


admin.site.unregister(StudySession)
admin.site.register(StudySession, StudySessionAdmin)
