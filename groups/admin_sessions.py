"""Admin for session kinds and their rules, series, sessions and calendar tokens."""

from __future__ import annotations

from django.contrib import admin

from groups.models import (
    BranchExemption,
    CalendarToken,
    KindRule,
    ReadingAssignment,
    Series,
    SessionKind,
    StudySession,
)


@admin.register(SessionKind)
class SessionKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "label_en", "required_count", "period", "committee_only"]
    list_editable = ["required_count", "period"]
    filter_horizontal = ["branch_kinds"]
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


class ReadingAssignmentInline(admin.TabularInline):
    model = ReadingAssignment
    extra = 0
    raw_id_fields = ["section"]


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):
    list_display = ["topic", "kind", "branch", "starts_at", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["kind", "branch"]
    search_fields = ["topic", "branch__name"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["branch", "series", "host", "recorder", "created_by"]
    inlines = [ReadingAssignmentInline]


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
