"""URLs of taking attendance."""

from __future__ import annotations

from django.urls import path

from groups.attendance import views

urlpatterns = [
    path("sessions/<int:pk>/attendance/", views.attendance_take, name="attendance-take"),
    path(
        "sessions/<int:pk>/attendance/mark-all/",
        views.attendance_mark_all,
        name="attendance-mark-all",
    ),
    path(
        "sessions/<int:pk>/attendance/headcounts/",
        views.attendance_headcounts,
        name="attendance-headcounts",
    ),
    path(
        "sessions/<int:pk>/attendance/<int:member_pk>/",
        views.attendance_row,
        name="attendance-row",
    ),
    path(
        "sessions/<int:pk>/attendance/<int:member_pk>/history/",
        views.attendance_member_history,
        name="attendance-history",
    ),
    path(
        "sessions/<int:pk>/sign-in-sheet/",
        views.attendance_signin_sheet,
        name="attendance-signin-sheet",
    ),
]
