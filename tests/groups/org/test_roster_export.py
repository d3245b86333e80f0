"""Roster export: the cells of the CSV and XLSX files, formula neutralising, round trips."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from groups.exports.writers import iter_csv, xlsx_bytes
from groups.models import Member
from groups.org.roster import HEADERS, roster_rows
from groups.org.services import roster_import
from tests.groups.factories import add_member

D = datetime.date


@pytest.fixture
def export_org(org):
    add_member(
        '=HYPERLINK("x")',
        org.branch_a,
        phone="+8613900000041",
        birth_date=D(1990, 5, 6),
        joined_party_on=D(2015, 7, 1),
        full_member_on=D(2016, 7, 1),
        gender="female",
    )
    return org


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_export_cells(export_org):
    rows = read_csv("".join(iter_csv(roster_rows(root=export_org.branch_a))).encode())
    assert rows[0] == HEADERS
    assert rows[1:] == [
        [
            '\'=HYPERLINK("x")',
            "女",
            "1990-05-06",
            "13900000041",
            "正式党员",
            "2015-07-01",
            "2016-07-01",
            "第一党支部",
            "",
        ],
        ["张伟", "", "", "", "正式党员", "", "", "第一党支部", ""],
        # A 党小组 member: its 党支部 first, then the group (named, as the name is unique
        # among the group's siblings even though 第二党支部 has a 第一党小组 too).
        ["李明", "男", "", "13800000001", "正式党员", "", "", "第一党支部", "第一党小组"],
    ]


def test_xlsx_export_cells_are_typed(export_org):
    rows = read_xlsx(xlsx_bytes(roster_rows(root=export_org.committee), sheet_title="花名册"))
    assert rows[0] == HEADERS
    by_name = {row[0]: row for row in rows[1:]}
    assert sorted(by_name) == sorted(['\'=HYPERLINK("x")', "张伟", "李明", "王芳", "刘洋", "陈静"])
    formula = by_name['\'=HYPERLINK("x")']
    assert isinstance(formula[2], datetime.datetime)  # a real date cell, not text
    assert formula[2].date() == D(1990, 5, 6)
    assert formula[3] == "13900000041"  # stored normalised, written as text
    assert by_name["王芳"][7:] == ["第二党支部", "第一党小组"]
    assert by_name["陈静"][7:] == ["县直机关党委", None]


def test_exported_files_reimport_without_changes(export_org):
    root = export_org.committee
    count = Member.objects.count()
    for data, name in [
        ("".join(iter_csv(roster_rows(root=root))).encode(), "roster.csv"),
        (xlsx_bytes(roster_rows(root=root)), "roster.xlsx"),
    ]:
        plan = roster_import(data=data, filename=name, root=root)
        assert plan.messages() == []
        assert plan.counts == {"create": 0, "update": 0, "unchanged": 6, "errors": 0}
    assert Member.objects.count() == count
    assert Member.objects.filter(name='=HYPERLINK("x")', phone="13900000041").exists()


def test_round_trip_into_an_empty_tree_recreates_the_members(export_org):
    data = xlsx_bytes(roster_rows(root=export_org.branch_a))
    before = {
        (m.name, m.gender, m.birth_date, m.category_id, m.branch_id)
        for m in Member.objects.in_subtree(export_org.branch_a)
    }
    Member.objects.in_subtree(export_org.branch_a).update(name="x", phone="")
    plan = roster_import(data=data, filename="r.xlsx", root=export_org.branch_a)
    assert plan.counts["create"] == 3
    after = {
        (m.name, m.gender, m.birth_date, m.category_id, m.branch_id)
        for m in Member.objects.in_subtree(export_org.branch_a).exclude(name="x")
    }
    assert after == before
