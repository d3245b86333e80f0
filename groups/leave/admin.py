"""Admin for leave requests and make-up study (补学)."""

from __future__ import annotations

from django.contrib import admin

from groups.models import LeaveRequest, MakeUpStudy


@admin.register(LeaveRequest)
class LeaveRequestAdmin(admin.ModelAdmin):
    list_display = ["member", "session", "reason", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["member", "session__kind", "decided_by"]
    search_fields = ["member__name", "session__topic", "reason"]
    raw_id_fields = ["member", "session"]
    date_hierarchy = "created_at"


@admin.register(MakeUpStudy)
class MakeUpStudyAdmin(admin.ModelAdmin):
    list_display = ["attendance", "submitted_at", "confirmed_at", "confirmed_by"]
    list_select_related = ["attendance__member", "confirmed_by"]
    search_fields = ["attendance__member__name", "note"]
    raw_id_fields = ["attendance"]
