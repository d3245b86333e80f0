"""URLs of assigned reading."""

from __future__ import annotations

from django.urls import path

from groups.reading import views as views_reading
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path(
        "reading/sections/<id:section_id>/read/",
        views_reading.mark_read,
        name="reading-mark-read",
    ),
    path(
        "reading/sections/<id:section_id>/note/",
        views_reading.note_save,
        name="reading-note-save",
    ),
    path(
        "reading/sections/<id:section_id>/notes/",
        views_reading.section_notes,
        name="reading-section-notes",
    ),
    path(
        "sessions/<id:session_id>/reading/",
        views_reading.session_reading,
        name="session-reading",
    ),
    path(
        "sessions/<id:session_id>/reading/remind/",
        views_reading.session_remind,
        name="session-reading-remind",
    ),
]
