from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lessons.models import Lecture


def lecture_list(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"lectures": Lecture.objects.current()})


def lecture_import(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def lecture_detail(request: HttpRequest, lecture_id: int) -> HttpResponse:
    raise NotImplementedError


def section_detail(request: HttpRequest, lecture_id: int, section_id: int) -> HttpResponse:
    raise NotImplementedError


def term_detail(request: HttpRequest, term_id: int) -> HttpResponse:
    raise NotImplementedError
