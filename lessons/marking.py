"""Mark key terms and search hits in raw lecture text, escaping everything else."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from lessons import importer

if TYPE_CHECKING:
    from lessons.models import KeyTerm

SNIPPET_RADIUS = 15
ELLIPSIS = "…"


def _wrap_matches(
    text: str,
    pattern: re.Pattern[str],
    wrap: Callable[[re.Match[str]], str],
    start: int = 0,
    end: int | None = None,
) -> str:
    """Return text[start:end] escaped, with each match replaced by wrap(match)."""
    end = len(text) if end is None else end
    parts: list[str] = []
    cursor = start
    for match in pattern.finditer(text, start, end):
        parts.append(escape(text[cursor : match.start()]))
        parts.append(wrap(match))
        cursor = match.end()
    parts.append(escape(text[cursor:end]))
    return "".join(parts)


class TermMarker:
    """Mark every visible term of a page; build the pattern once, mark many paragraphs."""

    def __init__(self, terms: Iterable[KeyTerm]) -> None:
        self.by_spelling: dict[str, KeyTerm] = {}
        for term in terms:
            if term.is_hidden:
                continue
            for spelling in term.spellings:
                if spelling:
                    self.by_spelling.setdefault(spelling, term)
        self.pattern = importer.term_pattern(self.by_spelling) if self.by_spelling else None

    def mark(self, text: str, linked: set[int]) -> SafeString:
        """Return the text escaped, the first mention of each term linked, later ones marked.

        `linked` holds the pks of terms already linked on this page and is updated, so the
        same set passed for every paragraph of a section links each term once.
        """
        if self.pattern is None:
            return mark_safe(escape(text))

        def wrap(match: re.Match[str]) -> str:
            term = self.by_spelling[match.group(0)]
            if term.pk in linked:
                return format_html('<span class="term">{}</span>', match.group(0))
            linked.add(term.pk)
            return format_html(
                '<a class="term" href="{}" data-bs-toggle="popover" data-bs-content="{}"'
                ' title="{}">{}</a>',
                reverse("lessons:term-detail", args=[term.pk]),
                term.definition or _("No definition yet."),
                term.term,
                match.group(0),
            )

        return mark_safe(_wrap_matches(text, self.pattern, wrap))


def mark_terms(text: str, terms: Iterable[KeyTerm], linked: set[int]) -> SafeString:
    """Return raw text escaped with its key terms marked (see TermMarker.mark)."""
    return TermMarker(terms).mark(text, linked)


def _highlight(match: re.Match[str]) -> str:
    return format_html("<mark>{}</mark>", match.group(0))


def highlight(text: str, pattern: re.Pattern[str]) -> SafeString:
    """Return the text escaped, with every match of the pattern in <mark>."""
    return mark_safe(_wrap_matches(text, pattern, _highlight))


def snippets(
    text: str, pattern: re.Pattern[str], *, limit: int, radius: int = SNIPPET_RADIUS
) -> list[SafeString]:
    """Return up to `limit` escaped excerpts around the pattern's matches, each in <mark>."""
    text = " ".join(text.split("\n"))
    found: list[SafeString] = []
    shown_until = -1
    for match in pattern.finditer(text):
        if len(found) >= limit:
            break
        if match.start() < shown_until:
            continue  # already inside the previous excerpt
        start = max(0, match.start() - radius)
        end = min(len(text), match.end() + radius)
        body = _wrap_matches(text, pattern, _highlight, start, end)
        prefix = ELLIPSIS if start > 0 else ""
        suffix = ELLIPSIS if end < len(text) else ""
        found.append(mark_safe(f"{prefix}{body}{suffix}"))
        shown_until = end
    return found


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Compile a pattern that finds the phrase literally, ignoring case."""
    return re.compile(re.escape(phrase), re.IGNORECASE)
