"""URLs of study tasks."""

from __future__ import annotations

from django.urls import path

from groups.tasks import views
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("tasks/", views.task_list_view, name="task-list"),
    path("tasks/new/", views.task_create, name="task-create"),
    path("tasks/<id:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<id:pk>/export/", views.task_export, name="task-export"),
]
