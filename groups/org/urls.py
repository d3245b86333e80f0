"""URLs of the organisation pages: the branch tree, a branch, its roster, a member."""

from __future__ import annotations

from django.urls import path

from groups.org import views
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("branches/", views.branch_list, name="branch-list"),
    path("branches/<id:pk>/", views.branch_detail, name="branch-detail"),
    path("branches/<id:pk>/roster/export/", views.roster_export, name="roster-export"),
    path("branches/<id:pk>/roster/import/", views.roster_import, name="roster-import"),
    path(
        "branches/<id:pk>/roster/import/preview/",
        views.roster_import_preview,
        name="roster-import-preview",
    ),
    path("members/me/", views.member_me, name="member-me"),
    path("members/<id:pk>/", views.member_detail, name="member-detail"),
]
