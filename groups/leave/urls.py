"""URLs of leave and make-up study."""

from __future__ import annotations

from django.urls import path

from groups.leave import views as views_leave
from studyhub import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("sessions/<id:session_id>/leave/", views_leave.leave_ask, name="leave-ask"),
    path("leave/", views_leave.leave_pending, name="leave-pending"),
    path("leave/<id:pk>/approve/", views_leave.leave_approve, name="leave-approve"),
    path("leave/<id:pk>/reject/", views_leave.leave_reject, name="leave-reject"),
    path("makeup/", views_leave.makeup_mine, name="makeup-mine"),
    path("makeup/review/", views_leave.makeup_review, name="makeup-review"),
    path("makeup/<id:pk>/", views_leave.makeup_detail, name="makeup-detail"),
    path("makeup/<id:pk>/confirm/", views_leave.makeup_confirm, name="makeup-confirm"),
]
