"""Personal details on a page: in full for those allowed, masked for everyone else."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

from groups.org.masking import personal_detail

register = template.Library()


@register.filter
def personal(value: Any, visible: bool) -> str:
    """Return a phone number or birth date (as 2026-01-05) in full when visible, else masked.

    The view decides ``visible`` (``groups.permissions.may_see_personal_details``, or the
    ``personal_details_visible`` annotation of a list); this only formats.
    """
    shown = personal_detail(value, visible=bool(visible))
    if isinstance(shown, datetime.date):
        return shown.isoformat()
    return shown or ""
