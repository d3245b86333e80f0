"""URLs of self check-in."""

from __future__ import annotations

from django.urls import path

from groups.checkin import views as views_checkin
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("check-in/", views_checkin.checkin_any, name="checkin"),
    path("sessions/<id:pk>/check-in/", views_checkin.checkin_session, name="checkin-session"),
    path(
        "sessions/<id:pk>/check-in/display/",
        views_checkin.checkin_display,
        name="checkin-display",
    ),
]
