"""Admin for the minutes (会议记录), with their history and attachments."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from groups.models import Minutes, MinutesAttachment


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
