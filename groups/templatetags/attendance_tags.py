"""The attendance row's status buttons, rendered in Python for a sheet of hundreds of rows."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from groups.models import Attendance

register = template.Library()


@register.simple_tag
def status_buttons(row: Attendance, statuses: list[tuple[str, str, str]], disabled: str) -> str:
    """Render a row's four status radio buttons: 1,200 of them on a page, so in Python.

    Nothing here needs escaping per call: the member id is an int, value and colour are
    constants and the labels come escaped from the view (groups/attendance/views.py).
    """
    member = row.member_id
    return mark_safe(  # noqa: S308 - see above: every part is an int, a constant or escaped
        "".join(
            f'<input type="radio" class="btn-check" name="status-{member}" '
            f'id="status-{member}-{value}" value="{value}" autocomplete="off"'
            f"{' checked' if row.status == value else ''}{disabled}>"
            f'<label class="btn btn-outline-{colour}" for="status-{member}-{value}">{label}</label>'
            for value, label, colour in statuses
        )
    )
