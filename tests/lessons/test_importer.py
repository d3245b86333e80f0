"""The importer on the shipped sample, its variants, and every kind of bad file."""

from __future__ import annotations

import io
import json

import docx
import pytest

from lessons import importer
from lessons.importer import LectureImportError, parse_file, parse_text

TITLE = "2020年组织工作干部专题党课:贯彻新时代党的组织路线 努力推动组织工作高质量发展"
TOP_LEVEL = [
    "深刻认识新时代党的组织路线的形成及重大意义",
    "准确把握新时代党的组织路线的科学内涵",
    "全面贯彻落实新时代党的组织路线",
]
RUN_IN = ["根本指导思想", "根本任务", "根本原则", "根本目标"]
NUMBERED = [
    "坚持思想铸魂,在深入学习习近平新时代中国特色社会主义思想上精准聚力",
    "着眼固本强基,在抓紧抓实基层党组织建设上精准聚力",
    "突出担当作为,在锻造高素质干部队伍上精准聚力",
    "坚持创新改革,在持续激发人才工作活力动力上精准聚力",
]
BOILERPLATE = [
    "下载", "会员上传", "作者", "简介", "写写帮", "小编", "word格式", "点此处",
    "文档为doc格式", "声明", "645879355", "相关范文推荐", "14:40:40",
]  # fmt: skip
REQUIRED_TERMS = [
    "三会一课", "两学一做", "四个意识", "四个自信", "两个维护",
    "四议两公开", "两强两化", "五个签字署名", "凡提四必", "有事好商量",
]  # fmt: skip


@pytest.fixture
def sample_text(sample_bytes) -> str:
    return sample_bytes.decode("utf-8")


@pytest.fixture
def outline(sample_bytes) -> importer.Outline:
    return parse_file(sample_bytes, "lecture.txt")


def outline_json(outline: importer.Outline) -> str:
    return json.dumps(outline.as_dict(), ensure_ascii=False)


def test_sample_title_and_preamble(outline):
    assert outline.title == TITLE
    assert outline.subtitle is None
    assert outline.salutation == "同志们:"
    # The preamble is one paragraph although the file breaks it inside 《…》.
    assert len(outline.preamble) == 1
    preamble = outline.preamble[0]
    assert preamble.startswith("2018年7月3日,习近平总书记在全国组织工作会议上")
    assert "今天我以《贯彻新时代党的组织路线 努力推动组织工作高质量发展》为主题" in preamble
    assert preamble.endswith("为主题与大家做一交流。")


def test_sample_outline(outline):
    assert [s.title for s in outline.sections] == TOP_LEVEL
    assert [s.number for s in outline.sections] == ["一", "二", "三"]
    one, two, three = outline.sections

    assert one.children == []
    assert len(one.paragraphs) == 3

    # Section 二: two intro paragraphs, then four run-in subsections.
    assert [c.title for c in two.children] == RUN_IN
    assert all(c.number == "" and c.level == 2 for c in two.children)
    assert len(two.paragraphs) == 2
    assert two.children[0].paragraphs[0].startswith("贯彻新时代党的组织路线,必须坚持把习近平")
    assert not any(p.startswith("根本") for c in two.children for p in c.paragraphs)

    # Section 三: numbered (一)…(四), the heading's trailing 。 dropped.
    assert [c.title for c in three.children] == NUMBERED
    assert [c.number for c in three.children] == ["（一）", "（二）", "（三）", "（四）"]
    assert three.children[0].paragraphs[0].startswith("组织是“形”,思想是“魂”")
    assert three.children[3].paragraphs[-1].endswith("基层一线流动的实施办法。")
    assert len(three.paragraphs) == 1


def test_sample_has_no_boilerplate(outline):
    text = outline_json(outline)
    for noise in BOILERPLATE:
        assert noise not in text, noise


def test_sample_glossary(outline):
    terms = {t.term: t for t in outline.terms}
    for required in REQUIRED_TERMS:
        assert required in terms, required
    assert terms["两个维护"].occurrences == 4
    assert terms["四个意识"].occurrences == 3
    assert terms["四个意识"].kind == "formula"
    assert terms["有事好商量"].kind == "phrase"
    for term in terms:
        assert 2 <= len(term) <= 16, term
        assert "的" not in term  # descriptions such as “党的组织路线” are not terms
    for noise in ["形", "魂", "纲", "本", "铸魂", "造形", "党的组织路线", "批判的武器"]:
        assert noise not in terms


def test_json_shape(outline):
    data = outline.as_dict()
    assert set(data) == {"title", "subtitle", "preamble", "sections", "terms"}
    section = data["sections"][1]
    assert set(section) == {"number", "title", "paragraphs", "children"}
    assert set(section["children"][0]) == {"number", "title", "paragraphs", "children"}
    assert set(data["terms"][0]) == {"term", "occurrences"}


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("gbk"), id="gbk"),
        pytest.param(lambda t: t.encode("gb18030"), id="gb18030"),
        pytest.param(lambda t: t.encode("utf-8-sig"), id="utf8-bom"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf16-bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("gbk"), id="gbk-crlf"),
        pytest.param(lambda t: t.replace("\n\n", "\n").encode("utf-8"), id="single-spaced"),
    ],
)
def test_encodings_and_line_endings_give_the_same_outline(sample_text, encode):
    # GBK has no “•” (U+2022); a GBK original would carry “·” instead.
    text = sample_text.replace("•", "·")
    expected = parse_file(text.encode("utf-8"), "lecture.txt")
    variant = parse_file(encode(text), "lecture.txt")
    assert variant.as_dict() == expected.as_dict()
    assert variant.text_hash == expected.text_hash


def test_full_width_and_half_width_headings_agree(sample_text, outline):
    full = sample_text
    for numeral in "一二三四":
        full = full.replace(f"({numeral})", f"（{numeral}）")
    full = full.replace(",", "，").replace(":", "：")
    variant = parse_text(full)
    assert [c.number for c in variant.sections[2].children] == [
        "（一）",
        "（二）",
        "（三）",
        "（四）",
    ]
    assert [c.title for c in variant.sections[2].children] == [
        t.replace(",", "，") for t in NUMBERED
    ]
    assert [c.title for c in variant.sections[1].children] == RUN_IN
    assert variant.salutation == "同志们："


def test_docx_gives_the_same_outline(sample_text, outline):
    document = docx.Document()
    for line in sample_text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    variant = parse_file(buffer.getvalue(), "党课.docx")
    assert variant.as_dict() == outline.as_dict()


DEEP = """关于加强党支部建设的党课
——在机关党委集中学习会上的讲话
（2021年3月2日）
各位同志：
今天讲三个问题。
一、提高认识
总体上看，支部建设有进步。
(一)认识到位。
1．学习要经常。
每周二集中学习。
2. 讨论要充分。
（1）会前准备
准备材料。
（2）会上发言
人人发言。
(二)措施到位
落实“三会一课”制度，推行“四议两公开”。
二、抓好落实。这一部分讲三点要求。
要求一是如此。
"""


def test_levels_subtitle_and_date():
    outline = parse_text(DEEP)
    assert outline.title == "关于加强党支部建设的党课"
    assert outline.subtitle == "——在机关党委集中学习会上的讲话"
    assert str(outline.delivered_on) == "2021-03-02"
    assert outline.salutation == "各位同志："
    assert outline.preamble == ["今天讲三个问题。"]
    one, two = outline.sections
    assert (one.number, one.title, one.paragraphs) == (
        "一",
        "提高认识",
        ["总体上看，支部建设有进步。"],
    )
    first, second = one.children
    assert (first.number, first.title, first.level) == ("（一）", "认识到位", 2)
    assert [(c.number, c.title, c.level) for c in first.children] == [
        ("1", "学习要经常", 3),
        ("2", "讨论要充分", 3),
    ]
    assert [(c.number, c.title, c.level) for c in first.children[1].children] == [
        ("（1）", "会前准备", 4),
        ("（2）", "会上发言", 4),
    ]
    assert second.title == "措施到位"
    # A heading line that runs on keeps the rest as the section's first paragraph.
    assert (two.title, two.paragraphs) == ("抓好落实", ["这一部分讲三点要求。", "要求一是如此。"])


def test_broken_lines_are_joined_and_whole_lines_are_not():
    text = (
        "题目\n同志们：\n"
        "一、开头\n"
        "这是一句被复制时断开\n的话。\n"
        "他说：“要把学习\n\n落到实处。”\n"
        "短行\n"
        "这是完整的一句。\n"
        "这也是完整的一句。\n"
    )
    section = parse_text(text).sections[0]
    assert section.paragraphs == [
        "这是一句被复制时断开的话。",
        "他说：“要把学习落到实处。”",
        "短行",
        "这是完整的一句。",
        "这也是完整的一句。",
    ]


def test_a_single_run_in_phrase_is_not_a_heading():
    text = "题目\n同志们：\n一、开头\n总而言之。这是普通的段落。\n另一段。\n"
    section = parse_text(text).sections[0]
    assert section.children == []
    assert section.paragraphs[0] == "总而言之。这是普通的段落。"


def test_numbered_paragraphs_that_are_too_long_stay_paragraphs():
    long_point = "1. " + "这是一条很长的编号要点" * 8 + "。"
    section = parse_text(f"题目\n同志们：\n一、开头\n{long_point}\n").sections[0]
    assert section.children == []
    assert section.paragraphs == [long_point]


def test_text_without_headings_becomes_one_section():
    outline = parse_text("学习体会\n这是第一段。\n这是第二段。\n")
    assert outline.title == "学习体会"
    assert [s.title for s in outline.sections] == ["学习体会"]
    assert outline.sections[0].paragraphs == ["这是第一段。", "这是第二段。"]


def test_terms_inside_longer_terms_are_counted_once():
    text = "题目\n同志们：\n一、开头\n增强“四个意识”，讲“四个”。再讲四个意识。\n"
    terms = {t.term: t.occurrences for t in parse_text(text).terms}
    assert terms["四个意识"] == 2
    assert terms.get("四个", 0) == 1


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.txt", "文件为空"),
        (b"  \r\n\n ", "blank.txt", "文件为空"),
        (b"%PDF-1.7 \x00\x01", "lecture.pdf", "请上传 .txt 或 .docx 文件"),
        (b"\xd0\xcf\x11\xe0 old word", "lecture.doc", "请另存为 .docx 或 .txt"),
        (b"ELF\x00\x01\x02\x03binary", "lecture.txt", "二进制文件"),
        (bytes(range(128, 256)) * 4, "lecture.txt", "既不是 UTF-8，也不是 GBK"),
        (b"PK\x03\x04 not really a zip", "lecture.docx", "不是有效的 .docx 文档"),
        (b"plain text pretending", "lecture.docx", "不是有效的 .docx 文档"),
        (b"\n".join([b"\xe6\x96\x87" * 100] * 8000), "huge.txt", "最大为 2.0 MB"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, name, message):
    with pytest.raises(LectureImportError) as error:
        parse_file(data, name)
    assert message in str(error.value)


def test_a_docx_without_text_is_refused():
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(LectureImportError, match="没有文本内容"):
        parse_file(buffer.getvalue(), "empty.docx")


def test_chapter_headings_and_a_preamble_that_mentions_website_words():
    text = (
        "学习党章党课\n同志们：\n"
        "我们要主动接受群众监督和举报，这是本次党课的出发点，也是我们今天要一起认真讨论的第一个问题，请大家认真思考。\n"
        "第一部分 党章的由来\n一、早期历史\n内容。\n第二部分：党章的修改\n内容二。\n"
    )
    outline = parse_text(text)
    assert "举报" in outline.preamble[0]
    assert [(s.number, s.title) for s in outline.sections] == [
        ("第一部分", "党章的由来"),
        ("第二部分", "党章的修改"),
    ]
    assert outline.sections[0].children[0].title == "早期历史"
