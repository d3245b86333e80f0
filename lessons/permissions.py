"""Who may manage lectures: 组织部 staff. groups/permissions.py builds on is_staff."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def is_staff(user: Any) -> bool:
    """Return whether the user is active site staff (组织部)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_manage_lectures(user: Any) -> bool:
    """Return whether the user may import lectures and curate key terms (组织部 staff)."""
    return is_staff(user)


def lecture_manager_required(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Refuse the view with 403 to anyone who may not manage lectures."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_manage_lectures(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
