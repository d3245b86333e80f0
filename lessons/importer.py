"""Turn a lecture file into an outline: bytes in, data out, no database.

`parse_file(data, filename)` is the entry point; it raises `LectureImportError` with a
message fit to show a user when the file cannot be read as a lecture.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date


class LectureImportError(ValueError):
    """The file cannot be imported; the message says why, in the user's language."""


@dataclass
class OutlineSection:
    number: str
    title: str
    level: int
    paragraphs: list[str] = field(default_factory=list)
    children: list[OutlineSection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "children": [child.as_dict() for child in self.children],
        }


@dataclass
class OutlineTerm:
    term: str
    kind: str  # "formula" (四个意识) or "phrase" (有事好商量); KeyTerm.Kind values
    occurrences: int


@dataclass
class Outline:
    title: str
    subtitle: str | None
    preamble: list[str]
    sections: list[OutlineSection]
    terms: list[OutlineTerm]
    text_hash: str
    salutation: str | None = None
    speaker: str | None = None
    delivered_on: date | None = None

    def as_dict(self) -> dict:
        """Return the stable JSON shape of `import_lecture --dry-run --json` (see README)."""
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "preamble": list(self.preamble),
            "sections": [section.as_dict() for section in self.sections],
            "terms": [{"term": t.term, "occurrences": t.occurrences} for t in self.terms],
        }

    def walk(self) -> Iterator[OutlineSection]:
        """Yield every section in document order."""

        def visit(nodes: list[OutlineSection]) -> Iterator[OutlineSection]:
            for node in nodes:
                yield node
                yield from visit(node.children)

        yield from visit(self.sections)


def term_pattern(spellings: Iterable[str]) -> re.Pattern[str]:
    """Compile one pattern for all spellings, longest first, so 四个意识 wins over 四个."""
    ordered = sorted(set(spellings), key=lambda s: (-len(s), s))
    return re.compile("|".join(re.escape(s) for s in ordered))


def count_terms(text: str, pattern: re.Pattern[str]) -> Counter[str]:
    """Count non-overlapping matches of each spelling in the text."""
    return Counter(match.group(0) for match in pattern.finditer(text))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_file(data: bytes, filename: str) -> Outline:
    raise NotImplementedError


def parse_text(text: str) -> Outline:
    raise NotImplementedError
