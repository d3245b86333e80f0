"""URLs of the background jobs."""

from __future__ import annotations

from django.urls import path

from studyhub import converters  # noqa: F401 — registers <id:…>
from studyhub.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("<id:pk>/", views.job_detail, name="job-detail"),
    path("<id:pk>/progress/", views.job_progress, name="job-progress"),
    path("<id:pk>/download/", views.job_download, name="job-download"),
]
