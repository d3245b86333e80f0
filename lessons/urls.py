from django.urls import path

from lessons import views
from studyhub import converters  # noqa: F401 — registers <id:…>

app_name = "lessons"

urlpatterns = [
    path("", views.lecture_list, name="lecture-list"),
    path("import/", views.lecture_import, name="lecture-import"),
    path("import/preview/", views.lecture_import_preview, name="lecture-import-preview"),
    path("<id:lecture_id>/", views.lecture_detail, name="lecture-detail"),
    path("<id:lecture_id>/sections/<id:section_id>/", views.section_detail, name="section-detail"),
    path("<id:lecture_id>/glossary/", views.lecture_glossary, name="lecture-glossary"),
    path("<id:lecture_id>/glossary/add/", views.term_create, name="term-create"),
    path("<id:lecture_id>/search/", views.lecture_search, name="lecture-search"),
    path("terms/<id:term_id>/", views.term_detail, name="term-detail"),
    path("terms/<id:term_id>/edit/", views.term_update, name="term-update"),
    path("terms/<id:term_id>/merge/", views.term_merge, name="term-merge"),
]
