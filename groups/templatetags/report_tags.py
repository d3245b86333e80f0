"""Template helpers of the report pages: rates as percentages, download links, follow-up panel."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from groups import conf
from groups.reports.selectors import follow_up_for_user

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
    """Return the download link of a report with the current filters, or "" if none exists.

    The export view is another module's; the page must render without it.
    """
    try:
        base = reverse("groups:report-export")
    except NoReverseMatch:
        return ""
    return f"{base}?report={report}&format={fmt}" + (f"&{query}" if query else "")


@register.inclusion_tag("groups/reports/partials/follow_up_panel.html", takes_context=True)
def follow_up_panel(context: template.Context) -> dict[str, Any]:
    """List the members of the user's managed branches to follow up (one query)."""
    return {
        "rows": follow_up_for_user(context["request"].user),
        "absences": conf.FOLLOW_UP_ABSENCES,
    }
