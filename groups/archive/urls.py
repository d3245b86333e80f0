"""URLs of the yearly archive."""

from __future__ import annotations

from django.urls import path

from groups.archive import views
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("branches/<id:pk>/archive/", views.branch_archive, name="branch-archive"),
]
