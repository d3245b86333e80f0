"""The reading pages and the import flow, as members and staff see them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lessons import importer, services
from lessons.models import KeyTerm, Lecture, Section
from lessons.views import IMPORT_SESSION_KEY
from tests.conftest import SAMPLE_LECTURE
from tests.lessons.factories import lecture_from_texts, make_lecture

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
ESCAPED_XSS = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert the English msgids, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def lecture() -> Lecture:
    return make_lecture(
        sections=12,
        terms=["三会一课", "四个意识"],
        definitions={"三会一课": "支部党员大会、支部委员会、党小组会和党课。"},
    )


def _urls(lecture: Lecture) -> dict[str, str]:
    section = lecture.sections.get(position=2)
    term = KeyTerm.objects.get(term="三会一课")
    return {
        "home": reverse("home"),
        "list": reverse("lessons:lecture-list"),
        "lecture": reverse("lessons:lecture-detail", args=[lecture.pk]),
        "section": reverse("lessons:section-detail", args=[lecture.pk, section.pk]),
        "glossary": reverse("lessons:lecture-glossary", args=[lecture.pk]),
        "search": reverse("lessons:lecture-search", args=[lecture.pk]) + "?q=三会",
        "term": reverse("lessons:term-detail", args=[term.pk]),
        "import": reverse("lessons:lecture-import"),
        "import-preview": reverse("lessons:lecture-import-preview"),
        "term-create": reverse("lessons:term-create", args=[lecture.pk]),
        "term-update": reverse("lessons:term-update", args=[term.pk]),
        "term-merge": reverse("lessons:term-merge", args=[term.pk]),
    }


READER_PAGES = ["home", "list", "lecture", "section", "glossary", "search", "term"]
STAFF_PAGES = ["import", "import-preview"]
STAFF_POSTS = ["term-create", "term-update", "term-merge"]


@pytest.mark.parametrize("name", READER_PAGES + STAFF_PAGES + STAFF_POSTS)
def test_anonymous_is_sent_to_login(client, lecture, name):
    url = _urls(lecture)[name]
    response = client.post(url) if name in STAFF_POSTS else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", READER_PAGES)
def test_member_and_staff_read_every_page(member_client, staff, lecture, name):
    url = _urls(lecture)[name]
    assert member_client.get(url).status_code == 200
    member_client.force_login(staff)
    assert member_client.get(url).status_code == 200


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_member_may_not_open_staff_pages(member_client, lecture, name):
    response = member_client.get(_urls(lecture)[name])
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize("name", STAFF_POSTS)
def test_member_may_not_curate_terms(member_client, lecture, name):
    response = member_client.post(_urls(lecture)[name], {"term": "新词", "into": 1})
    assert response.status_code == 403
    assert KeyTerm.objects.filter(term="新词").count() == 0


def test_staff_opens_import_page_and_is_sent_back_from_an_empty_preview(staff_client, lecture):
    urls = _urls(lecture)
    assert staff_client.get(urls["import"]).status_code == 200
    response = staff_client.get(urls["import-preview"])
    assert response.status_code == 302
    assert response["Location"] == urls["import"]


@pytest.mark.parametrize("name", STAFF_POSTS)
def test_curation_urls_take_only_posts(staff_client, lecture, name):
    assert staff_client.get(_urls(lecture)[name]).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        lambda lec, other: reverse("lessons:lecture-detail", args=[9999]),
        lambda lec, other: reverse("lessons:lecture-glossary", args=[9999]),
        lambda lec, other: reverse("lessons:lecture-search", args=[9999]),
        lambda lec, other: reverse("lessons:term-detail", args=[9999]),
        # A section exists, but under another lecture's address.
        lambda lec, other: reverse(
            "lessons:section-detail", args=[lec.pk, other.sections.first().pk]
        ),
    ],
)
def test_missing_objects_are_404(member_client, lecture, url):
    other = lecture_from_texts([("别的", ["别的内容"])], title="另一讲")
    assert member_client.get(url(lecture, other)).status_code == 404


def test_hidden_term_page_is_404_for_members_but_open_to_staff(member_client, staff, lecture):
    term = KeyTerm.objects.get(term="四个意识")
    KeyTerm.objects.filter(pk=term.pk).update(is_hidden=True)
    assert member_client.get(term.get_absolute_url()).status_code == 404
    member_client.force_login(staff)
    response = member_client.get(term.get_absolute_url())
    assert response.status_code == 200
    assert "hidden" in response.content.decode()


def test_lecture_list_and_home_show_current_versions_with_section_counts(member_client, lecture):
    old = lecture_from_texts([("旧的", ["旧内容"])], title="修订的党课")
    lecture_from_texts([("新的", ["新内容"]), ("又一节", ["更多"])], title="修订的党课")
    for url in [reverse("lessons:lecture-list"), reverse("home")]:
        page = member_client.get(url).content.decode()
        assert "新时代党的组织路线" in page
        assert "12 sections" in page
        assert page.count("修订的党课") == 1
        assert old.get_absolute_url() not in page


def test_lecture_page_shows_meta_preamble_contents_and_terms(member_client, staff):
    lecture = make_lecture(sections=12, terms=["三会一课", "四个意识"], imported_by=staff)
    page = member_client.get(lecture.get_absolute_url()).content.decode()
    assert "Version 1" in page
    assert "lecture.txt" in page
    assert "by 组织部" in page
    # The preamble is marked: 今天讲三会一课 links the term.
    term = KeyTerm.objects.get(term="三会一课")
    assert f'<a class="term" href="{term.get_absolute_url()}"' in page
    for section in lecture.sections.all():
        assert f'href="{section.get_absolute_url()}">{section.label}</a>' in page
    assert reverse("lessons:lecture-glossary", args=[lecture.pk]) in page
    assert reverse("lessons:lecture-search", args=[lecture.pk]) in page
    assert "四个意识" in page


def test_old_version_points_to_the_newer_one(member_client):
    old = lecture_from_texts([("一节", ["内容"])], title="修订的党课")
    new = lecture_from_texts([("一节", ["新内容"])], title="修订的党课")
    page = member_client.get(old.get_absolute_url()).content.decode()
    assert "A newer version of this lecture exists." in page
    assert new.get_absolute_url() in page


def test_section_page_shows_breadcrumbs_neighbours_and_children(member_client, lecture):
    sections = list(lecture.sections.order_by("position"))
    top, first_child, second_child = sections[0], sections[1], sections[2]
    page = member_client.get(first_child.get_absolute_url()).content.decode()
    breadcrumb = page[page.index('class="breadcrumb"') : page.index("</ol>")]
    assert lecture.title in breadcrumb
    assert top.label in breadcrumb
    assert first_child.label in breadcrumb
    assert f'rel="prev" href="{top.get_absolute_url()}"' in page
    assert f'rel="next" href="{second_child.get_absolute_url()}"' in page

    top_page = member_client.get(top.get_absolute_url()).content.decode()
    children = top_page[top_page.index("section-children") :]
    for child in sections[1:10]:
        assert child.get_absolute_url() in children
    assert 'rel="prev"' not in top_page


def test_section_links_each_term_once_and_marks_later_mentions(member_client, lecture):
    section = lecture.sections.get(position=1)
    page = member_client.get(section.get_absolute_url()).content.decode()
    term = KeyTerm.objects.get(term="三会一课")
    # make_lecture mentions each term in both paragraphs: one link, then a plain mark.
    assert page.count(f'href="{term.get_absolute_url()}"') == 1
    assert 'data-bs-content="支部党员大会、支部委员会、党小组会和党课。"' in page
    assert '<span class="term">三会一课</span>' in page


def test_section_page_escapes_text_and_definitions(member_client):
    lecture = lecture_from_texts(
        [("危险", [f"正文{XSS}谈三会一课"])],
        terms=["三会一课"],
        definitions={"三会一课": f'定义{XSS}"'},
    )
    page = member_client.get(lecture.sections.get().get_absolute_url()).content.decode()
    assert XSS not in page
    assert f"正文{ESCAPED_XSS}谈" in page
    assert f"定义{ESCAPED_XSS}&quot;" in page


def test_glossary_groups_terms_by_pinyin_letter(member_client):
    lecture = lecture_from_texts(
        [("一节", ["三会一课，三会一课，四抓两整治，两个维护。"])],
        terms=["三会一课", "四抓两整治", "两个维护"],
        definitions={"两个维护": "坚决维护核心地位。"},
    )
    page = member_client.get(reverse("lessons:lecture-glossary", args=[lecture.pk])).content
    page = page.decode()
    # 两个维护 (liang) under L, then 三会一课 and 四抓两整治 under S, sorted by pinyin.
    assert page.index('id="letter-L"') < page.index("两个维护") < page.index('id="letter-S"')
    assert page.index('id="letter-S"') < page.index("三会一课") < page.index("四抓两整治")
    assert "坚决维护核心地位。" in page
    # 三会一课 arrives with the built-in definition; 四抓两整治 is a local term.
    assert "定期召开支部党员大会" in page
    assert page.count("No definition yet.") == 1
    assert "3 key terms" in page
    sanhui = page[page.index(">三会一课</a>") :]
    assert 'fw-normal" title="Times in this lecture">2</span>' in sanhui[:200]


def test_glossary_escapes_definitions(member_client):
    lecture = lecture_from_texts(
        [("一节", ["三会一课"])], terms=["三会一课"], definitions={"三会一课": XSS}
    )
    page = member_client.get(reverse("lessons:lecture-glossary", args=[lecture.pk]))
    assert XSS not in page.content.decode()
    assert ESCAPED_XSS in page.content.decode()


def test_glossary_offers_the_add_form_to_staff_only(member_client, staff, lecture):
    url = reverse("lessons:lecture-glossary", args=[lecture.pk])
    assert "Add a term" not in member_client.get(url).content.decode()
    member_client.force_login(staff)
    assert "Add a term" in member_client.get(url).content.decode()


def test_term_page_lists_every_section_with_a_snippet(member_client):
    lecture = lecture_from_texts(
        [
            (
                "第一节",
                ["前面很长很长很长很长很长很长很长很长的话，落实三会一课制度。", "三会一课"],
            ),
            ("第二节", ["没有这个词"]),
            ("第三节", [f"{XSS}三会一课"]),
        ],
        terms=["三会一课"],
    )
    term = KeyTerm.objects.get(term="三会一课")
    page = member_client.get(term.get_absolute_url()).content.decode()
    first, second, third = lecture.sections.order_by("position")
    assert first.get_absolute_url() in page
    assert second.get_absolute_url() not in page
    assert third.get_absolute_url() in page
    assert "× 2" in page
    # About fifteen characters either side of the first mention, later mentions marked too.
    assert (
        "…很长很长很长很长很长的话，落实<mark>三会一课</mark>制度。 <mark>三会一课</mark>" in page
    )
    assert "前面" not in page
    assert "&lt;/script&gt;<mark>三会一课</mark>" in page
    assert XSS not in page
    assert "Edit term" not in page


def test_search_finds_sections_and_highlights_the_phrase(member_client, lecture):
    url = reverse("lessons:lecture-search", args=[lecture.pk])
    page = member_client.get(url, {"q": "三会一课"}).content.decode()
    hits = page[page.index("search-results") :]
    # make_lecture cycles two terms through 12 sections: every section names 三会一课.
    assert "12 sections contain “三会一课”." in page
    assert hits.count("<mark>三会一课</mark>") >= 12
    assert lecture.sections.get(position=5).get_absolute_url() in hits


def test_search_matches_headings_and_escapes(member_client):
    lecture = lecture_from_texts(
        [(f"标题{XSS}", ["正文"]), ("其他", [f"前文{XSS}后文"]), ("无关", ["无关"])]
    )
    url = reverse("lessons:lecture-search", args=[lecture.pk])
    page = member_client.get(url, {"q": "<script>"}).content.decode()
    assert "2 sections contain" in page
    assert XSS not in page
    assert "标题<mark>&lt;script&gt;</mark>alert(1)" in page
    assert "前文<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;后文" in page


def test_search_without_a_phrase_shows_a_hint(member_client, lecture):
    url = reverse("lessons:lecture-search", args=[lecture.pk])
    page = member_client.get(url).content.decode()
    assert "Type a word or phrase" in page
    assert "search-results" not in page


def test_search_refuses_a_long_phrase(member_client, lecture):
    url = reverse("lessons:lecture-search", args=[lecture.pk])
    page = member_client.get(url, {"q": "长" * 101}).content.decode()
    assert "Search for at most 100 characters." in page
    assert "search-results" not in page


def test_search_reports_no_hits(member_client, lecture):
    url = reverse("lessons:lecture-search", args=[lecture.pk])
    page = member_client.get(url, {"q": "不存在的词"}).content.decode()
    assert "0 sections contain “不存在的词”." in page


# Query counts. The pages are built from one query per table, so these numbers do not
# grow with the lecture. Each page: session + user (2), then what the comment names.
# + the section with its lecture, its cached text and place (lessons.text_cache), the reader's
# member row (reading panel)
SECTION_PAGE_QUERIES = 5
# The first visit after a change also works out the page: all sections, the section's terms
# and text, and the database cache's writes (a count, a savepoint, a lookup, an insert, release).
SECTION_PAGE_FIRST_QUERIES = 20
LECTURE_PAGE_QUERIES = 5  # + the lecture, all sections, the terms with their counts
GLOSSARY_QUERIES = 4  # + the lecture, the terms with their counts
SEARCH_QUERIES = 4  # + the lecture, the matching sections
TERM_PAGE_QUERIES = 5  # + the term, its occurrences, the merge form's choices (staff)


@pytest.mark.parametrize("size", [(200, 300), (2, 2)], ids=["large", "tiny"])
def test_pages_take_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries, size):
    sections, terms = size
    lecture = make_lecture(sections=sections, terms=terms)
    section = lecture.sections.order_by("position")[1]
    term = KeyTerm.objects.get(term="要点001号")
    pages = [
        (section.get_absolute_url(), SECTION_PAGE_FIRST_QUERIES),
        (section.get_absolute_url(), SECTION_PAGE_QUERIES),
        (lecture.get_absolute_url(), LECTURE_PAGE_QUERIES),
        (reverse("lessons:lecture-glossary", args=[lecture.pk]), GLOSSARY_QUERIES),
        (reverse("lessons:lecture-search", args=[lecture.pk]) + "?q=要点", SEARCH_QUERIES),
        (term.get_absolute_url(), TERM_PAGE_QUERIES),
    ]
    for url, queries in pages:
        with django_assert_max_num_queries(queries):
            assert staff_client.get(url).status_code == 200


def test_the_section_page_shows_a_term_edited_after_it_was_cached(member_client, lecture):
    section = lecture.sections.filter(term_occurrences__term__term="三会一课").first()
    term = KeyTerm.objects.get(term="三会一课")
    assert (
        "新定义：支部党员大会" not in member_client.get(section.get_absolute_url()).content.decode()
    )
    services.term_update(
        term=term,
        text=term.term,
        aliases=term.aliases,
        definition="新定义：支部党员大会",
        is_hidden=False,
    )
    assert "新定义：支部党员大会" in member_client.get(section.get_absolute_url()).content.decode()
    services.term_update(
        term=term, text=term.term, aliases=term.aliases, definition="", is_hidden=True
    )
    page = member_client.get(section.get_absolute_url()).content.decode()
    assert f'href="{term.get_absolute_url()}"' not in page


def test_the_section_page_shows_a_section_edited_after_it_was_cached(member_client, lecture):
    section = lecture.sections.order_by("position").first()
    member_client.get(section.get_absolute_url())
    section.body = "改过的正文"
    section.save()
    assert "改过的正文" in member_client.get(section.get_absolute_url()).content.decode()


def test_large_lecture_pages_show_all_sections_and_terms(member_client):
    lecture = make_lecture(sections=200, terms=300)
    page = member_client.get(lecture.get_absolute_url()).content.decode()
    assert page.count('href="/lessons/terms/') >= 300
    assert f'href="{lecture.sections.get(position=200).get_absolute_url()}"' in page
    section = lecture.sections.get(position=150)
    page = member_client.get(section.get_absolute_url()).content.decode()
    # Section 149 (0-based) names terms 447..449 mod 300.
    for name in ["要点147号", "要点148号", "要点149号"]:
        assert f'title="{name}">{name}</a>' in page
        assert f'<span class="term">{name}</span>' in page


# Import. The flow is tested with a hand-made outline standing in for the parser, and
# again with the real parser once it is written.


def _outline() -> importer.Outline:
    return importer.Outline(
        title="专题党课",
        subtitle="努力推动组织工作高质量发展",
        preamble=["同志们：今天讲三会一课。"],
        sections=[
            importer.OutlineSection(
                number="一",
                title="认识意义",
                level=1,
                paragraphs=["第一段三会一课", "第二段"],
                children=[
                    importer.OutlineSection(
                        number="（一）", title="历史", level=2, paragraphs=["历史一段"]
                    )
                ],
            )
        ],
        terms=[importer.OutlineTerm(term="三会一课", kind="formula", occurrences=2)],
        text_hash=importer.text_hash("专题党课"),
    )


@pytest.fixture
def fake_parser(monkeypatch):
    seen: list[tuple[bytes, str]] = []

    def parse_file(data: bytes, filename: str) -> importer.Outline:
        seen.append((data, filename))
        return _outline()

    monkeypatch.setattr(importer, "parse_file", parse_file)
    return seen


def _upload(client, content: bytes = b"lecture", name: str = "lecture.txt"):
    return client.post(
        reverse("lessons:lecture-import"), {"file": SimpleUploadedFile(name, content)}
    )


def test_import_previews_then_saves_on_confirmation(staff_client, staff, fake_parser):
    response = _upload(staff_client, "讲稿".encode(), "党课.txt")
    assert response.status_code == 302
    assert response["Location"] == reverse("lessons:lecture-import-preview")
    assert Lecture.objects.count() == 0

    page = staff_client.get(response["Location"]).content.decode()
    for text in ["专题党课", "努力推动组织工作高质量发展", "同志们：今天讲三会一课。", "党课.txt"]:
        assert text in page
    assert "一、认识意义" in page
    assert "（一）历史" in page
    assert "2 paragraphs" in page
    assert '<td>三会一课</td><td class="text-end">2</td>' in page
    assert "Confirm import" in page

    response = staff_client.post(reverse("lessons:lecture-import-preview"), {"confirm": ""})
    lecture = Lecture.objects.get()
    assert response["Location"] == lecture.get_absolute_url()
    assert lecture.imported_by == staff
    assert lecture.source_name == "党课.txt"
    assert [s.label for s in lecture.sections.order_by("position")] == [
        "一、认识意义",
        "（一）历史",
    ]
    assert fake_parser[-1] == ("讲稿".encode(), "党课.txt")
    page = staff_client.get(response["Location"]).content.decode()
    assert "Imported “专题党课”." in page
    assert IMPORT_SESSION_KEY not in staff_client.session


def test_importing_the_same_lecture_again_duplicates_nothing(staff_client, fake_parser):
    for _ in range(2):
        _upload(staff_client)
        response = staff_client.post(reverse("lessons:lecture-import-preview"), {"confirm": ""})
    assert Lecture.objects.count() == 1
    page = staff_client.get(response["Location"]).content.decode()
    assert "was already imported; nothing was duplicated." in page


def test_cancelling_the_preview_saves_nothing(staff_client, fake_parser):
    _upload(staff_client)
    response = staff_client.post(reverse("lessons:lecture-import-preview"), {"cancel": ""})
    assert response["Location"] == reverse("lessons:lecture-import")
    assert Lecture.objects.count() == 0
    assert IMPORT_SESSION_KEY not in staff_client.session


def test_importer_error_is_shown_on_the_form(staff_client, monkeypatch):
    def parse_file(data: bytes, filename: str) -> importer.Outline:
        raise importer.LectureImportError("No title was found in the file.")

    monkeypatch.setattr(importer, "parse_file", parse_file)
    response = _upload(staff_client)
    assert response.status_code == 200
    assert "No title was found in the file." in response.content.decode()
    assert Lecture.objects.count() == 0


def test_unexpected_parser_failure_is_a_form_error_not_a_trace(staff_client, monkeypatch, caplog):
    def parse_file(data: bytes, filename: str) -> importer.Outline:
        raise KeyError("secret internals")

    monkeypatch.setattr(importer, "parse_file", parse_file)
    response = _upload(staff_client)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Could not read this file." in page
    assert "secret internals" not in page
    assert "Traceback" not in page
    assert "secret internals" in caplog.text
    assert Lecture.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name"), [(b"", "lecture.txt"), (b"%PDF-1.4 lecture", "lecture.pdf")]
)
def test_bad_upload_is_a_form_error_and_saves_nothing(staff_client, lecture, content, name):
    before = Lecture.objects.count()
    response = _upload(staff_client, content, name)
    assert response.status_code == 200
    assert 'class="invalid-feedback"' in response.content.decode()
    assert Lecture.objects.count() == before
    assert IMPORT_SESSION_KEY not in staff_client.session


def test_too_large_upload_is_refused(staff_client, settings):
    settings.LECTURE_MAX_UPLOAD_BYTES = 10
    response = _upload(staff_client, b"x" * 11)
    assert "The file is too large" in response.content.decode()


@pytest.fixture
def real_importer(sample_bytes):
    """Skip while lessons.importer.parse_file is still being written."""
    try:
        importer.parse_file(sample_bytes, SAMPLE_LECTURE.name)
    except NotImplementedError:
        pytest.skip("lessons.importer.parse_file is not written yet")


def test_sample_lecture_imports_end_to_end(staff_client, sample_bytes, real_importer):
    response = _upload(staff_client, sample_bytes, SAMPLE_LECTURE.name)
    assert response.status_code == 302, response.content.decode()
    page = staff_client.get(response["Location"]).content.decode()
    assert "新时代党的组织路线" in page
    assert "一、深刻认识新时代党的组织路线的形成及重大意义" in page

    response = staff_client.post(reverse("lessons:lecture-import-preview"), {"confirm": ""})
    lecture = Lecture.objects.get()
    assert response["Location"] == lecture.get_absolute_url()
    assert lecture.sections.count() > 3
    page = staff_client.get(lecture.get_absolute_url()).content.decode()
    assert "深刻认识新时代党的组织路线的形成及重大意义" in page
    section = Section.objects.filter(lecture=lecture).order_by("position").first()
    assert staff_client.get(section.get_absolute_url()).status_code == 200

    # The same file again is recognised.
    _upload(staff_client, sample_bytes, SAMPLE_LECTURE.name)
    staff_client.post(reverse("lessons:lecture-import-preview"), {"confirm": ""})
    assert Lecture.objects.count() == 1


def test_the_lecture_file_is_read_once_and_saved_as_previewed(staff_client, monkeypatch):
    data = SAMPLE_LECTURE.read_bytes()
    expected = importer.parse_file(data, "党课.txt")
    _upload(staff_client, data, "党课.txt")

    def read_again(*args, **kwargs):
        raise AssertionError("the lecture file was read again")

    monkeypatch.setattr(importer, "parse_file", read_again)
    assert (
        expected.title
        in staff_client.get(reverse("lessons:lecture-import-preview")).content.decode()
    )
    staff_client.post(reverse("lessons:lecture-import-preview"), {"confirm": ""})
    lecture = Lecture.objects.get()
    assert lecture.source_hash == expected.text_hash
    assert lecture.sections.count() == len(list(expected.walk()))
    assert KeyTerm.objects.in_lecture(lecture).count() == len(expected.terms)
