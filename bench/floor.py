"""The floor each page is measured against: a bare view in the same project.

Same middleware and login as every page, `base.html` and a table of plain dicts padded to the
measured page's size: what any page of that size costs before its own work (issue 12).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from studyhub.urls import urlpatterns as site_urls

FLOOR = engines["django"].from_string(
    """{% extends "base.html" %}{% block content %}<table class="table">
{% for row in rows %}<tr><td>{{ row.name }}</td><td>{{ row.branch }}</td><td>{{ row.status }}</td>
<td>{{ row.when }}</td><td>{{ row.note }}</td></tr>{% endfor %}</table>{% endblock %}"""
)


def floor(request: HttpRequest, rows: int) -> HttpResponse:
    table = [
        {
            "name": f"党员{n}",
            "branch": "第一党支部",
            "status": "出席",
            "when": "2026-11-10",
            "note": "",
        }
        for n in range(rows)
    ]
    return HttpResponse(FLOOR.render({"rows": table}, request))


urlpatterns = [*site_urls, path("bench/floor/<int:rows>/", floor)]
