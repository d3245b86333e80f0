"""Build stored lectures from hand-made outlines, without the file parser."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from lessons import importer, services
from lessons.models import KeyTerm, Lecture

_serial = itertools.count(1)
CHINESE_DIGITS = "一二三四五六七八九十"


def save_outline(
    *,
    title: str,
    sections: list[importer.OutlineSection],
    terms: Sequence[str],
    preamble: Sequence[str] = (),
    definitions: dict[str, str] | None = None,
    imported_by=None,
) -> Lecture:
    """Store an outline built by hand, with the given terms and their definitions."""
    outline = importer.Outline(
        title=title,
        subtitle=None,
        preamble=list(preamble),
        sections=sections,
        terms=[importer.OutlineTerm(term=t, kind="formula", occurrences=1) for t in terms],
        text_hash=importer.text_hash(f"{title}#{next(_serial)}"),
    )
    lecture, _created = services.lecture_save(
        outline=outline, source_name="lecture.txt", imported_by=imported_by
    )
    for term, definition in (definitions or {}).items():
        KeyTerm.objects.filter(term=term).update(definition=definition)
    return lecture


def lecture_from_texts(
    sections: Sequence[tuple[str, Sequence[str]]],
    terms: Sequence[str] = (),
    *,
    title: str = "测试党课",
    preamble: Sequence[str] = (),
    definitions: dict[str, str] | None = None,
) -> Lecture:
    """Store a lecture of top-level sections given as (title, paragraphs)."""
    nodes = [
        importer.OutlineSection(
            number=CHINESE_DIGITS[i % 10], title=heading, level=1, paragraphs=list(paragraphs)
        )
        for i, (heading, paragraphs) in enumerate(sections)
    ]
    return save_outline(
        title=title, sections=nodes, terms=terms, preamble=preamble, definitions=definitions
    )


def term_names(count: int) -> list[str]:
    """Return distinct term spellings, none a part of another."""
    return [f"要点{n:03d}号" for n in range(count)]


def make_lecture(
    sections: int = 200,
    terms: int | Sequence[str] = 300,
    *,
    title: str = "新时代党的组织路线",
    definitions: dict[str, str] | None = None,
    imported_by=None,
) -> Lecture:
    """Store a lecture of `sections` headings (tops with sub-sections) using every term.

    Every tenth section is a top-level heading (一、…), the rest are its sub-sections
    （1）…; each section mentions three terms, each twice, so that the first mention is
    linked and the second only marked.
    """
    names = term_names(terms) if isinstance(terms, int) else list(terms)
    tops: list[importer.OutlineSection] = []
    for i in range(sections):
        used = [names[(3 * i + k) % len(names)] for k in range(3)] if names else []
        paragraphs = [
            f"第{i}节讲{'、'.join(used)}。",
            f"再说一遍：{'，'.join(used)}。",
        ]
        if i % 10 == 0 or not tops:
            node = importer.OutlineSection(
                number=CHINESE_DIGITS[len(tops) % 10], title=f"第{i}部分", level=1
            )
            tops.append(node)
        else:
            node = importer.OutlineSection(
                number=f"（{len(tops[-1].children) + 1}）", title=f"第{i}小节", level=2
            )
            tops[-1].children.append(node)
        node.paragraphs = paragraphs
    return save_outline(
        title=title,
        sections=tops,
        terms=names,
        preamble=[f"同志们：今天讲{names[0]}。"] if names else [],
        definitions=definitions,
        imported_by=imported_by,
    )
