"""Read paths that feed the lessons pages, each in a fixed number of queries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.utils.safestring import SafeString

from lessons import importer
from lessons.marking import TermMarker, highlight, phrase_pattern, snippets
from lessons.models import KeyTerm, Lecture, Section, TermOccurrence
from lessons.permissions import can_manage_lectures
from lessons.text_cache import cached_section_page

SEARCH_SNIPPETS = 3
SEARCH_RADIUS = 30
CLOUD_SIZES = 5


@dataclass
class TreeNode:
    """One heading of a lecture's table of contents, with the headings under it."""

    label: str
    section: Section | None = None
    paragraph_count: int = 0
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class LecturePage:
    lecture: Lecture
    contents: list[TreeNode]
    section_count: int
    preamble: list[SafeString]
    cloud: list[tuple[KeyTerm, int]]


@dataclass
class SectionPage:
    lecture: Lecture
    section: Section
    ancestors: list[Section]
    children: list[Section]
    previous: Section | None
    next: Section | None
    paragraphs: list[SafeString]


@dataclass
class TermPlace:
    """Where a term occurs: a section (or a lecture's preamble), with one snippet."""

    occurrence: TermOccurrence
    snippet: SafeString | None


@dataclass
class SearchHit:
    section: Section
    label: SafeString
    snippets: list[SafeString]


def lecture_list() -> Any:
    """Return the current version of every lecture, with its section count."""
    return Lecture.objects.current().with_outline_counts().select_related("imported_by")


def get_lecture(lecture_id: int) -> Lecture:
    """Return a lecture (any version) with who imported it and its newer version, or 404."""
    queryset = Lecture.objects.select_related("imported_by", "next_version")
    return get_object_or_404(queryset, pk=lecture_id)


def lecture_sections(lecture: Lecture) -> list[Section]:
    """Return all the lecture's sections in document order, without their text."""
    return list(
        lecture.sections.only(
            "lecture_id", "parent_id", "number", "title", "level", "position"
        ).order_by("position")
    )


def section_tree(sections: list[Section]) -> list[TreeNode]:
    """Nest sections (in document order) under their parents; return the top level."""
    nodes = {section.pk: TreeNode(label=section.label, section=section) for section in sections}
    roots: list[TreeNode] = []
    for section in sections:
        parent = nodes.get(section.parent_id) if section.parent_id else None
        (parent.children if parent else roots).append(nodes[section.pk])
    return roots


def outline_tree(sections: list[importer.OutlineSection]) -> list[TreeNode]:
    """Return a parsed outline's headings as a tree, labelled as they will be stored."""
    return [
        TreeNode(
            label=Section(number=node.number, title=node.title).label,
            paragraph_count=len(node.paragraphs),
            children=outline_tree(node.children),
        )
        for node in sections
    ]


def marking_terms(section: Section) -> list[KeyTerm]:
    """Return the visible terms that occur in the section, for marking its text: a page's
    marker is as large as its section, whatever the size of the lecture."""
    occurring = TermOccurrence.objects.filter(section=section).values("term_id")
    return list(KeyTerm.objects.visible().filter(pk__in=occurring))


def lecture_terms(lecture: Lecture) -> list[KeyTerm]:
    """Return the lecture's visible terms in pinyin order, each with `lecture_count`."""
    return list(KeyTerm.objects.in_lecture(lecture))


def term_cloud(terms: list[KeyTerm]) -> list[tuple[KeyTerm, int]]:
    """Pair each term with a size from 1 to CLOUD_SIZES, by its count on a log scale."""
    if not terms:
        return []
    low = math.log(min(term.lecture_count for term in terms))
    high = math.log(max(term.lecture_count for term in terms))
    if high == low:
        middle = (CLOUD_SIZES + 1) // 2
        return [(term, middle) for term in terms]
    steps = CLOUD_SIZES - 1
    return [
        (term, 1 + round(steps * (math.log(term.lecture_count) - low) / (high - low)))
        for term in terms
    ]


def get_lecture_page(lecture_id: int) -> LecturePage:
    """Return a lecture with its contents, marked preamble and term cloud, or 404."""
    lecture = get_lecture(lecture_id)
    sections = lecture_sections(lecture)
    terms = lecture_terms(lecture)
    marker = TermMarker(terms)
    linked: set[int] = set()
    return LecturePage(
        lecture=lecture,
        contents=section_tree(sections),
        section_count=len(sections),
        preamble=[marker.mark(paragraph, linked) for paragraph in lecture.preamble_paragraphs],
        cloud=term_cloud(terms),
    )


def get_section_page(lecture_id: int, section_id: int) -> SectionPage:
    """Return a section with its place in the lecture and its marked paragraphs, or 404:
    the section, then one cache lookup (lessons.text_cache) while nothing has changed."""
    queryset = Section.objects.select_related("lecture").defer("body")
    section = get_object_or_404(queryset, pk=section_id, lecture_id=lecture_id)
    place = cached_section_page(section.pk, lambda: _section_place(section))
    return SectionPage(lecture=section.lecture, section=section, **place)


def _section_place(section: Section) -> dict[str, Any]:
    """Work out a section's ancestors, neighbours and marked text (three queries)."""
    sections = lecture_sections(section.lecture)
    by_pk = {s.pk: s for s in sections}
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    ancestors: list[Section] = []
    parent_id = section.parent_id
    while parent_id is not None:
        ancestors.insert(0, by_pk[parent_id])
        parent_id = by_pk[parent_id].parent_id
    marker = TermMarker(marking_terms(section))
    linked: set[int] = set()
    return {
        "ancestors": ancestors,
        "children": [s for s in sections if s.parent_id == section.pk],
        "previous": sections[index - 1] if index > 0 else None,
        "next": sections[index + 1] if index + 1 < len(sections) else None,
        "paragraphs": [marker.mark(paragraph, linked) for paragraph in section.paragraphs],
    }


def glossary(terms: list[KeyTerm]) -> list[tuple[str, list[KeyTerm]]]:
    """Group terms (in pinyin order) under the first letter of their pinyin, A–Z then #."""
    groups: dict[str, list[KeyTerm]] = {}
    for term in terms:
        letter = term.sort_key[:1].upper()
        if not ("A" <= letter <= "Z"):
            letter = "#"
        groups.setdefault(letter, []).append(term)
    return sorted(groups.items(), key=lambda item: (item[0] == "#", item[0]))


def get_term_for_user(user: Any, term_id: int) -> KeyTerm:
    """Return a term the user may see (hidden ones only to lecture managers), or 404."""
    queryset = KeyTerm.objects.all() if can_manage_lectures(user) else KeyTerm.objects.visible()
    return get_object_or_404(queryset, pk=term_id)


def term_places(term: KeyTerm) -> list[TermPlace]:
    """Return where the term occurs in current lectures, each place with a snippet."""
    occurrences = (
        TermOccurrence.objects.filter(term=term, lecture__next_version__isnull=True)
        .select_related("lecture", "section")
        .order_by("lecture__title", "lecture_id", F("section__position").asc(nulls_first=True))
    )
    pattern = importer.term_pattern(term.spellings)
    places: list[TermPlace] = []
    for occurrence in occurrences:
        section = occurrence.section
        text = f"{section.title}\n{section.body}" if section else occurrence.lecture.preamble
        found = snippets(text, pattern, limit=1)
        places.append(TermPlace(occurrence=occurrence, snippet=found[0] if found else None))
    return places


def lecture_search(lecture: Lecture, phrase: str) -> list[SearchHit]:
    """Return the sections whose heading or text contains the phrase, with snippets."""
    pattern = phrase_pattern(phrase)
    sections = lecture.sections.filter(
        Q(title__icontains=phrase) | Q(body__icontains=phrase)
    ).order_by("position")
    return [
        SearchHit(
            section=section,
            label=highlight(section.label, pattern),
            snippets=snippets(section.body, pattern, limit=SEARCH_SNIPPETS, radius=SEARCH_RADIUS),
        )
        for section in sections
    ]
