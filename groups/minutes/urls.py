"""URLs of the minutes (会议记录), their attachments and the printable record."""

from __future__ import annotations

from django.urls import path

from groups.minutes import views as views_minutes
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("sessions/<id:session_id>/minutes/", views_minutes.minutes_edit, name="minutes-edit"),
    path(
        "sessions/<id:session_id>/minutes/attachments/",
        views_minutes.attachment_add,
        name="minutes-attachment-add",
    ),
    path(
        "minutes/attachments/<uuid:token>/",
        views_minutes.attachment_download,
        name="minutes-attachment",
    ),
    path(
        "minutes/attachments/<uuid:token>/delete/",
        views_minutes.attachment_delete,
        name="minutes-attachment-delete",
    ),
    path("sessions/<id:session_id>/record/", views_minutes.minutes_record, name="minutes-record"),
]
