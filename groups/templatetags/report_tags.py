"""Template helpers of the report pages: rates as percentages, download links."""

from __future__ import annotations

from django import template
from django.urls import reverse

from groups.attendance.headcounts import percent as rounded_percent

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """Return a rate as a percentage with at most one decimal ("80%", "81.3%"), else "—"."""
    if value is None:
        return "—"
    # Rounded as the exports and charts round it, so every view shows the same figure.
    shown = str(rounded_percent(value)).removesuffix(".0")
    return f"{shown}%"


@register.simple_tag
def export_url(report: str, fmt: str, query: str) -> str:
    """Return the download link of a report with the current filters."""
    base = reverse("groups:report-export")
    return f"{base}?report={report}&format={fmt}" + (f"&{query}" if query else "")
