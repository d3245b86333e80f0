"""URLs of taking attendance."""

from __future__ import annotations

from django.urls import path

from groups.attendance import views
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("sessions/<id:pk>/attendance/", views.attendance_take, name="attendance-take"),
    path(
        "sessions/<id:pk>/attendance/mark-all/",
        views.attendance_mark_all,
        name="attendance-mark-all",
    ),
    path(
        "sessions/<id:pk>/attendance/headcounts/",
        views.attendance_headcounts,
        name="attendance-headcounts",
    ),
    path(
        "sessions/<id:pk>/attendance/<id:member_pk>/",
        views.attendance_row,
        name="attendance-row",
    ),
    path(
        "sessions/<id:pk>/attendance/<id:member_pk>/history/",
        views.attendance_member_history,
        name="attendance-history",
    ),
    path(
        "sessions/<id:pk>/sign-in-sheet/",
        views.attendance_signin_sheet,
        name="attendance-signin-sheet",
    ),
]
