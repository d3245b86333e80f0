"""Path converters: `<id:pk>` is a database id, registered on import by every urls module."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    """Match an id that a 64-bit integer column can hold; longer digits match no URL (404).

    `<int:…>` takes any length, and an id past 2**63 reaches the database: SQLite raises
    OverflowError on it (a 500). Eighteen digits always fit SQLite's and PostgreSQL's bigint.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
