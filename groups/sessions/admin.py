"""Admin for session kinds and their rules, series, sessions and calendar tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _

from groups.models import (
    Attendance,
    BranchExemption,
    CalendarToken,
    KindRule,
    PublicHoliday,
    ReadingAssignment,
    Series,
    SessionKind,
    StudySession,
)


@admin.register(SessionKind)
class SessionKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "label_en", "required_count", "period", "committee_only"]
    list_editable = ["required_count", "period"]
    filter_horizontal = ["branch_kinds", "expected_categories"]
    ordering = ["position"]


@admin.register(KindRule)
class KindRuleAdmin(admin.ModelAdmin):
    list_display = ["branch", "kind", "required_count", "period"]
    list_filter = ["kind", "period"]
    autocomplete_fields = ["branch"]


@admin.register(BranchExemption)
class BranchExemptionAdmin(admin.ModelAdmin):
    list_display = ["branch", "kind", "reason"]
    list_filter = ["kind"]
    autocomplete_fields = ["branch"]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ["day", "name", "day_off"]
    list_filter = ["day_off"]
    date_hierarchy = "day"


class ReadingAssignmentInline(admin.TabularInline):
    model = ReadingAssignment
    extra = 0
    raw_id_fields = ["section"]


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


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):
    list_display = ["topic", "kind", "branch", "starts_at", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["kind", "branch"]
    search_fields = ["topic", "branch__name"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["branch", "series", "host", "recorder", "created_by"]
    inlines = [ReadingAssignmentInline]

    # Deleting a session whose attendance was taken is refused by a pre_delete signal (a 500
    # here); listing the taken attendance as "protected" shows why and offers no delete button.
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        taken = _taken_sessions(objs)
        if taken:
            # Taken rows may not be deleted, but saying "no permission" would hide why.
            attendance = str(Attendance._meta.verbose_name)
            perms_needed = {name for name in perms_needed if str(name) != attendance}
        return deleted, model_count, perms_needed, [*protected, *taken]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["topic", "kind", "branch", "rule", "first_day", "until", "count"]
    list_select_related = ["kind", "branch"]
    raw_id_fields = ["branch", "host", "recorder", "created_by", "previous"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["token", "created_at"]
