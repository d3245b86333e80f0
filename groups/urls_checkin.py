"""URLs of self check-in; groups/urls.py appends them (`urlpatterns += checkin_urls`)."""

from __future__ import annotations

from django.urls import path

from groups import views_checkin

checkin_urls = [
    path("check-in/", views_checkin.checkin_any, name="checkin"),
    path("sessions/<int:pk>/check-in/", views_checkin.checkin_session, name="checkin-session"),
    path(
        "sessions/<int:pk>/check-in/display/",
        views_checkin.checkin_display,
        name="checkin-display",
    ),
]
