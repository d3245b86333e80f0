"""Admin of the personal-data export record: for the 组织部 to read, never to edit."""

from __future__ import annotations

from django.contrib import admin

from groups.models import PersonalDataExport


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(admin.ModelAdmin):
    list_display = [
        "exported_at",
        "username",
        "export",
        "file_format",
        "branch_name",
        "rows",
        "unmasked_rows",
    ]
    list_filter = ["export", "file_format", "exported_at"]
    search_fields = ["username", "branch_name"]
    date_hierarchy = "exported_at"
    # An audit record that could be edited or deleted would prove nothing: the app writes
    # it, the admin only shows it (to staff with the view permission: the 组织部).
    readonly_fields = [f.name for f in PersonalDataExport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
