from django.urls import path

from groups import views
from groups.urls_attendance import attendance_urls
from groups.urls_checkin import checkin_urls
from groups.urls_exports import export_urls
from groups.urls_leave import leave_urls
from groups.urls_reading import reading_urls
from groups.urls_reports import report_urls
from groups.urls_sessions import urlpatterns as session_urls

app_name = "groups"

urlpatterns = [
    path("branches/", views.branch_list, name="branch-list"),
    path("branches/<int:pk>/", views.branch_detail, name="branch-detail"),
    path("branches/<int:pk>/roster/export/", views.roster_export, name="roster-export"),
    path("branches/<int:pk>/roster/import/", views.roster_import, name="roster-import"),
    path(
        "branches/<int:pk>/roster/import/preview/",
        views.roster_import_preview,
        name="roster-import-preview",
    ),
    path("members/me/", views.member_me, name="member-me"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
]
urlpatterns += reading_urls
urlpatterns += session_urls
urlpatterns += report_urls
urlpatterns += checkin_urls
urlpatterns += export_urls
urlpatterns += leave_urls
urlpatterns += attendance_urls
