"""Admin for the records members and managers keep: leave, 补学, minutes, reading, reminders."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from groups.models import (
    LeaveRequest,
    MakeUpStudy,
    Minutes,
    MinutesAttachment,
    ReadingProgress,
    ReminderLog,
    StudyNote,
)


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


class MinutesAttachmentInline(admin.TabularInline):
    model = MinutesAttachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Minutes)
class MinutesAdmin(SimpleHistoryAdmin):
    list_display = ["session", "updated_at", "updated_by"]
    list_select_related = ["session__kind", "updated_by"]
    search_fields = ["session__topic", "topics", "resolutions"]
    raw_id_fields = ["session"]
    inlines = [MinutesAttachmentInline]


@admin.register(ReadingProgress)
class ReadingProgressAdmin(admin.ModelAdmin):
    list_display = ["member", "section", "opened_at", "read_at"]
    list_select_related = ["member", "section"]
    search_fields = ["member__name", "section__title"]
    raw_id_fields = ["member", "section"]


@admin.register(StudyNote)
class StudyNoteAdmin(admin.ModelAdmin):
    list_display = ["member", "section", "updated_at"]
    list_select_related = ["member", "section"]
    search_fields = ["member__name", "section__title", "text"]
    raw_id_fields = ["member", "section"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "session", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["user", "session"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "session"]
