"""URLs of the session pages, the calendars and compliance."""

from __future__ import annotations

from django.urls import path

from groups.sessions import views
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/calendar/", views.calendar_month, name="calendar-month"),
    path("sessions/new/", views.session_create, name="session-create"),
    path("sessions/<id:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<id:pk>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<id:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<id:pk>/session.ics", views.session_ics, name="session-ics"),
    path("series/new/", views.series_create, name="series-create"),
    path("calendar/", views.calendar_subscription, name="calendar-subscription"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("compliance/", views.compliance, name="compliance"),
    path("rules/", views.rules, name="rules"),
    path("rules/kinds/<id:pk>/", views.kind_default_save, name="kind-default-save"),
    path("rules/branches/", views.kind_rule_save, name="kind-rule-save"),
    path("rules/branches/<id:pk>/delete/", views.kind_rule_delete, name="kind-rule-delete"),
    path("rules/exemptions/", views.exemption_save, name="exemption-save"),
    path("rules/exemptions/<id:pk>/delete/", views.exemption_delete, name="exemption-delete"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/save/", views.holiday_save, name="holiday-save"),
    path("holidays/<id:pk>/delete/", views.holiday_delete, name="holiday-delete"),
]
