"""URLs of the report pages."""

from __future__ import annotations

from django.urls import path

from groups.reports import views

urlpatterns = [
    path("reports/", views.report_members, name="report-index"),
    path("reports/members/", views.report_members, name="report-members"),
    path("reports/matrix/", views.report_matrix, name="report-matrix"),
    path("reports/ledger/", views.report_ledger, name="report-ledger"),
    path("reports/ledger/print/", views.report_ledger_print, name="report-ledger-print"),
    path("reports/branches/", views.report_branches, name="report-branches"),
    path("reports/branches/print/", views.report_branches_print, name="report-branches-print"),
    path("reports/follow-up/", views.report_follow_up, name="report-follow-up"),
]
