"""The section page's marked text and place in the lecture, cached until lessons text changes.

A lecture's sections never change once imported (a new import is a new version), so what the
section page shows is worked out once and kept in the shared cache under a stamp that any
change to a lecture, a section or a term replaces; a stale page is never served, and a page's
cost no longer grows with the size of its lecture.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

T = TypeVar("T")
STAMP_KEY = "lessons:text-stamp"
# A month: the stamp, not the timeout, keeps the pages fresh.
PAGE_SECONDS = 30 * 24 * 3600


def _new_stamp() -> str:
    cache.add(STAMP_KEY, uuid.uuid4().hex, None)  # another process may set it first
    return cache.get(STAMP_KEY, "")


def _replace_stamp() -> None:
    cache.set(STAMP_KEY, uuid.uuid4().hex, None)


def text_changed(**_: Any) -> None:
    """Forget every cached section page, now and once the change that called it commits.

    Now, for readers in this transaction (and the database cache, which commits with it);
    again after the commit, for a reader elsewhere who built a page from the old text
    under the first new stamp.
    """
    _replace_stamp()
    transaction.on_commit(_replace_stamp)


def cached_section_page(section_id: int, build: Callable[[], T]) -> T:
    """Return what build() returns for the section, from the cache while the stamp holds.

    The stamp is read with the page (one cache lookup); a page kept under an older stamp
    is built again.
    """
    key = f"lessons:section-page:{section_id}:{get_language()}"
    found = cache.get_many([STAMP_KEY, key])
    stamp = found.get(STAMP_KEY) or _new_stamp()
    kept = found.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    value = build()
    cache.set(key, (stamp, value), PAGE_SECONDS)
    return value
