"""How a member's personal details read to someone who may not see them (个人信息保护法).

Phone numbers and birth dates are shown in full only to those ``groups.permissions``
allows (``may_see_personal_details``); everyone else, on a page or in a file, gets these
masks. A masked value cannot be mistaken for a real one, nor read back by the roster import
as one: "138****0003" is not a phone number and "1985-**-**" is not a date, so a masked file
re-imported is refused rather than overwriting anybody's details.
"""

from __future__ import annotations

import datetime
from typing import Any

MASK = "*"


def mask_phone(phone: str) -> str:
    """Return a phone number with its middle hidden: 13800000003 → 138****0003.

    A mobile number keeps its first 3 digits (the carrier) and its last 4, as banks and
    carriers print it; a shorter number (a landline without its area code) keeps a quarter
    at each end, so that at least half of it is always hidden.
    """
    if not phone:
        return ""
    if len(phone) >= 11:
        head, tail = 3, 4
    else:
        head = tail = len(phone) // 4
    return phone[:head] + MASK * (len(phone) - head - tail) + phone[len(phone) - tail :]


def mask_birth_date(day: datetime.date | None) -> str:
    """Return a birth date as its year only: 1985-03-12 → 1985-**-**.

    The year stays because the 组织部's statistics (年龄结构) use it; month and day go, as
    with a name they are what identity checks ask for.
    """
    if day is None:
        return ""
    return f"{day.year:04d}-{MASK * 2}-{MASK * 2}"


def personal_detail(value: Any, *, visible: bool) -> Any:
    """Return a phone number or birth date as the viewer may see it: itself, or its mask."""
    if visible or value in (None, ""):
        return value
    if isinstance(value, datetime.date):
        return mask_birth_date(value)
    return mask_phone(str(value))
