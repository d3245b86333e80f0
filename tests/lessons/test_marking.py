"""Marking key terms and search hits in raw text."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from lessons import importer
from lessons.marking import TermMarker, highlight, mark_terms, phrase_pattern, snippets
from lessons.models import KeyTerm
from lessons.selectors import term_cloud


@pytest.fixture(autouse=True)
def _english():
    """Assert the English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


def _term(pk: int, term: str, definition: str = "", aliases=(), hidden=False) -> KeyTerm:
    return KeyTerm(pk=pk, term=term, definition=definition, aliases=list(aliases), is_hidden=hidden)


SIYISHI = _term(1, "四个意识", "政治意识、大局意识、核心意识、看齐意识。")
SIGE = _term(2, "四个")
SANHUI = _term(3, "三会一课", aliases=["“三会一课”制度"])


def test_first_mention_is_linked_with_its_definition_later_ones_marked():
    linked: set[int] = set()
    html = mark_terms("增强四个意识，牢记四个意识。", [SIYISHI], linked)
    assert html == (
        '增强<a class="term" href="/lessons/terms/1/" data-bs-toggle="popover"'
        ' data-bs-content="政治意识、大局意识、核心意识、看齐意识。" title="四个意识">四个意识</a>'
        '，牢记<span class="term">四个意识</span>。'
    )
    assert isinstance(html, SafeString)
    assert linked == {1}


def test_linked_set_carries_over_paragraphs():
    marker = TermMarker([SIYISHI])
    linked: set[int] = set()
    first = marker.mark("第一段四个意识", linked)
    second = marker.mark("第二段四个意识", linked)
    assert "<a " in first
    assert "<a " not in second
    assert '<span class="term">四个意识</span>' in second


def test_longest_spelling_wins_and_nothing_is_marked_twice():
    html = mark_terms("四个意识和四个方面", [SIGE, SIYISHI], set())
    assert html.count('class="term"') == 2
    assert 'title="四个意识">四个意识</a>' in html
    assert 'title="四个">四个</a>方面' in html


def test_aliases_link_to_the_term_they_spell():
    html = mark_terms("落实“三会一课”制度", [SANHUI], set())
    assert 'href="/lessons/terms/3/"' in html
    assert 'title="三会一课">“三会一课”制度</a>' in html


def test_hidden_terms_are_never_marked():
    hidden = _term(4, "两个维护", hidden=True)
    assert mark_terms("做到两个维护", [hidden], set()) == "做到两个维护"


def test_text_and_definitions_are_escaped():
    evil = _term(5, "三会一课", definition='<script>alert("x")</script>')
    html = mark_terms("<script>bad()</script>三会一课 & more", [evil], set())
    assert "<script>" not in html
    assert html.startswith("&lt;script&gt;bad()&lt;/script&gt;<a ")
    assert 'data-bs-content="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in html
    assert html.endswith(" &amp; more")


def test_terms_without_definition_say_so_and_no_terms_still_escape():
    html = mark_terms("三会一课", [_term(6, "三会一课")], set())
    assert 'data-bs-content="No definition yet."' in html
    assert mark_terms("<b>", [], set()) == "&lt;b&gt;"


def test_snippets_cut_around_matches_and_mark_them():
    text = "甲" * 40 + "三会一课" + "乙" * 40 + "三会一课" + "丙" * 5
    found = snippets(text, importer.term_pattern(["三会一课"]), limit=3, radius=5)
    assert found == [
        "…甲甲甲甲甲<mark>三会一课</mark>乙乙乙乙乙…",
        "…乙乙乙乙乙<mark>三会一课</mark>丙丙丙丙丙",
    ]


def test_snippets_stop_at_the_limit_and_escape():
    text = "<i>" + "的" * 3
    found = snippets(text, phrase_pattern("的"), limit=1, radius=3)
    assert found == ["&lt;i&gt;<mark>的</mark><mark>的</mark><mark>的</mark>"]


def test_highlight_ignores_case_and_escapes():
    assert highlight("CPC & cpc", phrase_pattern("cpc")) == (
        "<mark>CPC</mark> &amp; <mark>cpc</mark>"
    )


def test_term_cloud_sizes_follow_counts():
    terms = [_term(n, f"词{n}") for n in range(1, 4)]
    for term, count in zip(terms, [1, 10, 100], strict=True):
        term.lecture_count = count
    assert [size for _, size in term_cloud(terms)] == [1, 3, 5]
    for term in terms:
        term.lecture_count = 7
    assert [size for _, size in term_cloud(terms)] == [3, 3, 3]
