"""Template helpers of the report pages: rates as percentages, download links."""

from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """Return a rate as a percentage with at most one decimal ("80%", "33.3%"), else "—"."""
    if value is None:
        return "—"
    shown = f"{100 * value:.1f}".removesuffix(".0")
    return f"{shown}%"


@register.simple_tag
def export_url(report: str, fmt: str, query: str) -> str:
    """Return the download link of a report with the current filters."""
    base = reverse("groups:report-export")
    return f"{base}?report={report}&format={fmt}" + (f"&{query}" if query else "")
