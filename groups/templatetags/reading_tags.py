"""The reading status badge, a tag rather than an include: tables repeat it for every member."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def reading_badge(status: str) -> SafeString:
    """Return the badge of a MemberReading status: read, opened or unread."""
    if status == "read":
        return format_html('<span class="badge text-bg-success">{}</span>', _("Read"))
    if status == "opened":
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Opened"))
    return format_html('<span class="badge text-bg-secondary">{}</span>', _("Unread"))
