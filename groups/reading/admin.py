"""Admin for reading progress, study notes and the reminders sent."""

from __future__ import annotations

from django.contrib import admin

from groups.models import ReadingProgress, ReminderLog, StudyNote


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
