"""URLs of the report downloads."""

from __future__ import annotations

from django.urls import path

from groups.exports import views

urlpatterns = [
    path("reports/export/", views.report_export, name="report-export"),
]
