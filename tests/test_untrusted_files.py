"""Every kind of upload bomb is refused quickly, in little memory, with a message naming why.

Each is read in a fresh process (tests/bombs.py) so that its peak memory is its own; the
figures for the closing note and `make bench` come from the same measurement.
"""

from __future__ import annotations

import pytest

from groups.org.roster import parse_roster
from lessons.importer import LectureImportError, read_source
from tests import bombs

# What the user is told, in Chinese, for each bomb (a fragment of the message).
EXPECTED = {
    "xlsx declaring A1:XFD1048576": "超过 10,000 行",
    "xlsx unpacking to 400 MB": "解压后",
    "xlsx with entity expansion": "XML 声明",
    "xlsx with 5,000 entries": "最多可含 1,000",
    "xlsx whose entry lies about its size": "无法按 CSV 或 XLSX 格式读取",
    "xlsx with a row of 1.2 million cells": "超过 400,000",
    "xlsx with 19 MB of shared strings": "字符串和样式",
    "docx unpacking to 650 MB": "解压后",
    "docx with entity expansion": "XML 声明",
    "docx with 1,200,000 characters": "超过 1,000,000 个字符",
}


@pytest.mark.parametrize(
    ("kind", "label"),
    [("roster", label) for label in bombs.ROSTER_BOMBS]
    + [("lecture", label) for label in bombs.LECTURE_BOMBS],
)
def test_a_bomb_is_refused_in_seconds_and_under_200_mb(kind, label, tmp_path):
    make = {**bombs.ROSTER_BOMBS, **bombs.LECTURE_BOMBS}[label]
    # The child is killed after 20 s of CPU: the 72 s this once took would fail here.
    result = bombs.measure(kind, make(), tmp_path, cpu_seconds=20)
    assert EXPECTED[label] in result["message"], result
    assert result["peak_mb"] < 200, result


def test_the_declared_dimension_is_not_trusted_for_a_real_roster():
    # Declares 16,384 columns and 1,048,576 rows; holds a header and one member.
    data = bombs.xlsx(
        f'{bombs.SHEET_OPEN}<dimension ref="A1:XFD1048576"/><sheetData>{bombs.HEADER_ROW}'
        '<row r="5"><c r="A5" t="inlineStr"><is><t>王伟</t></is></c>'
        '<c r="B5" t="inlineStr"><is><t>正式党员</t></is></c>'
        '<c r="C5" t="inlineStr"><is><t>第一党支部</t></is></c>'
        '<c r="XFD5"><v>7</v></c></row></sheetData></worksheet>'
    )
    roster = parse_roster(data, filename="名册.xlsx")
    assert roster.errors == []
    assert roster.rows == [(5, {"姓名": "王伟", "人员类别": "正式党员", "所在支部": "第一党支部"})]


def test_columns_past_the_fiftieth_are_not_read():
    roster = parse_roster(bombs.xlsx_wide_rows(rows=3), filename="名册.xlsx")
    assert roster.errors == []
    assert [number for number, _ in roster.rows] == [2, 3, 4]


def test_a_csv_with_too_many_rows_is_refused_naming_the_limit():
    lines = ["姓名,人员类别,所在支部"] + ["王伟,正式党员,第一党支部"] * 10_000
    roster = parse_roster("\n".join(lines).encode(), filename="名册.csv")
    assert roster.errors == ["表格超过 10,000 行，请拆分成较小的文件。"]


def test_docx_text_is_read_from_the_body_paragraphs_only():
    document = (
        f"{bombs.W_OPEN}<w:p><w:r><w:t>一、坚持</w:t></w:r><w:ins><w:r><w:t>党的</w:t></w:r>"
        "</w:ins><w:del><w:r><w:delText>删去</w:delText></w:r></w:del>"
        "<w:r><w:tab/><w:t>领导</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        '<w:p><w:r><w:t xml:space="preserve">第二段 </w:t></w:r></w:p>'
        f"{bombs.W_CLOSE}"
    )
    assert read_source(bombs.docx(document), "讲稿.docx") == "一、坚持党的\t领导\n第二段 "


def test_a_docx_without_a_document_part_is_refused():
    with pytest.raises(LectureImportError, match="不是有效的 .docx 文档"):
        read_source(bombs._zip({"word/other.xml": "<x/>"}), "讲稿.docx")
