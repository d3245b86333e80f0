"""URLs of the report downloads; groups/urls.py adds them under the "groups" namespace."""

from __future__ import annotations

from django.urls import path

from groups import views_exports as views

export_urls = [
    path("reports/export/", views.report_export, name="report-export"),
]
