"""Saving imported lectures: the tree, the glossary, versions, and curating terms."""

from __future__ import annotations

import pytest

from lessons import services
from lessons.importer import parse_file, parse_text
from lessons.models import KeyTerm, Lecture, Section, TermOccurrence

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(sample_bytes) -> Lecture:
    lecture, created = services.lecture_save(
        outline=parse_file(sample_bytes, "lecture.txt"), source_name="lecture.txt"
    )
    assert created
    return lecture


def test_saves_the_section_tree_in_document_order(lecture):
    sections = list(lecture.sections.all())
    assert [s.label for s in sections[:3]] == [
        "一、深刻认识新时代党的组织路线的形成及重大意义",
        "二、准确把握新时代党的组织路线的科学内涵",
        "根本指导思想",
    ]
    assert len(sections) == 3 + 4 + 4
    two = sections[1]
    assert [c.title for c in two.children.order_by("position")] == [
        "根本指导思想", "根本任务", "根本原则", "根本目标",
    ]  # fmt: skip
    assert sections[-1].label.startswith("（四）坚持创新改革")
    assert lecture.preamble_paragraphs[0].startswith("2018年7月3日")


def test_counts_terms_per_section(lecture):
    counts = {
        o.section.number: o.count
        for o in TermOccurrence.objects.filter(term__term="两个维护").select_related("section")
    }
    # “两个维护” stands three times in (一) and once in (三).
    assert counts == {"（一）": 3, "（三）": 1}
    glossary = {t.term: t.lecture_count for t in KeyTerm.objects.in_lecture(lecture)}
    assert glossary["四个意识"] == 3
    assert glossary["三会一课"] == 2


def test_importing_the_same_text_again_duplicates_nothing(lecture, sample_bytes):
    gbk = sample_bytes.decode("utf-8").replace("•", "·").encode("gbk")
    # Different bytes, different content (one character) → a new version, not a copy.
    again, created = services.lecture_save(
        outline=parse_file(sample_bytes, "again.txt"), source_name="again.txt"
    )
    assert (again, created) == (lecture, False)
    assert Lecture.objects.count() == 1
    assert Section.objects.count() == 11
    assert KeyTerm.objects.filter(term="三会一课").count() == 1

    revised, created = services.lecture_save(
        outline=parse_file(gbk, "revised.txt"), source_name="revised.txt"
    )
    assert created and revised.version == 2 and revised.previous_version == lecture
    assert list(Lecture.objects.current()) == [revised]
    assert lecture.sections.count() == 11  # the old version stays intact


def test_curated_terms_survive_reimport_and_are_found_in_new_lectures(lecture):
    term = KeyTerm.objects.get(term="三会一课")
    services.term_update(
        term=term,
        text="三会一课",
        aliases=[],
        definition="支部党员大会、支委会、党小组会、党课",
        is_hidden=False,
    )
    hidden = KeyTerm.objects.get(term="守门员")
    services.term_update(term=hidden, text="守门员", aliases=[], definition="", is_hidden=True)

    other, _ = services.lecture_save(
        outline=parse_text("另一讲\n同志们：\n一、要求\n严格落实三会一课制度，当好守门员。\n"),
        source_name="other.txt",
    )
    assert KeyTerm.objects.get(term="三会一课").definition.startswith("支部党员大会")
    found = {t.term for t in KeyTerm.objects.in_lecture(other)}
    assert "三会一课" in found  # unquoted in the new lecture, found all the same
    assert "守门员" not in found  # hidden stays hidden


def test_merge_moves_counts_and_keeps_the_spelling_as_alias(lecture):
    source = KeyTerm.objects.get(term="四个一")
    into = KeyTerm.objects.get(term="四个意识")
    services.term_merge(source=source, into=into)
    into.refresh_from_db()
    assert "四个一" in into.aliases
    assert not KeyTerm.objects.filter(term="四个一").exists()
    glossary = {t.term: t.lecture_count for t in KeyTerm.objects.in_lecture(lecture)}
    assert glossary["四个意识"] == 4


def test_manual_term_is_counted_everywhere(lecture):
    services.term_create(text="组织路线", definition="")
    glossary = {t.term: t.lecture_count for t in KeyTerm.objects.in_lecture(lecture)}
    assert glossary["组织路线"] > 20


def test_standard_terms_arrive_defined_and_are_found_unquoted(lecture):
    glossary = {t.term: t for t in KeyTerm.objects.in_lecture(lecture)}
    assert glossary["四个意识"].definition == "政治意识、大局意识、核心意识、看齐意识。"
    # 组织生活会 is never quoted in the sample, but it is a standard term.
    assert glossary["组织生活会"].lecture_count == 1
    assert glossary["四抓两整治"].definition == ""  # a local term: staff define it
