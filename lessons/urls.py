from django.urls import path

from lessons import views

app_name = "lessons"

urlpatterns = [
    path("", views.lecture_list, name="lecture-list"),
    path("import/", views.lecture_import, name="lecture-import"),
    path("<int:lecture_id>/", views.lecture_detail, name="lecture-detail"),
    path("<int:lecture_id>/sections/<int:section_id>/", views.section_detail, name="section-detail"),
    path("terms/<int:term_id>/", views.term_detail, name="term-detail"),
]
