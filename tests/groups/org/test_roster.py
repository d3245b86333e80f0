"""Roster import: CSV (UTF-8, BOM, GBK) and XLSX files, per-row errors, all or nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from groups.models import BranchKind, Member, MembershipPeriod
from groups.org.roster import parse_date, parse_roster, validate_roster
from groups.org.services import member_deactivate, roster_import
from tests.groups.factories import add_branch, add_member

D = datetime.date


def EXCEL_DATE_CELL(year: int, month: int, day: int) -> datetime.datetime:
    """Return a date cell as openpyxl reads it: a naive datetime, as Excel has no zones."""
    return datetime.datetime(year, month, day)  # noqa: DTZ001


HEADER = "姓名,性别,出生日期,手机号,人员类别,入党时间,转正时间,所在支部,所在党小组"


def csv_bytes(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding)


GOOD_LINES = [
    "赵磊,男,1985-03-12,139 0000 0011,正式党员,2008/7/1,2009年7月1日,第一党支部,",
    "孙丽,女,1990年5月6日,13900000012,预备党员,2025-01-05,,第一党支部,第一党小组",
    # member_a (by phone) moves to the 第二党支部.
    "李明,男,1980-01-01,13800000001,正式党员,2000-07-01,2001-07-01,第二党支部,",
]


def members(*names: str) -> dict[str, Member]:
    return {m.name: m for m in Member.objects.filter(name__in=names).select_related("branch")}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_import_creates_updates_and_transfers(org, encoding):
    plan = roster_import(data=csv_bytes(*GOOD_LINES, encoding=encoding), filename="名册.csv")
    assert plan.messages() == []
    assert plan.counts == {"create": 2, "update": 1, "unchanged": 0, "errors": 0}
    found = members("赵磊", "孙丽", "李明")
    zhao = found["赵磊"]
    assert (zhao.branch.code, zhao.gender, zhao.phone) == ("a", "male", "13900000011")
    assert (zhao.birth_date, zhao.joined_party_on, zhao.full_member_on) == (
        D(1985, 3, 12),
        D(2008, 7, 1),
        D(2009, 7, 1),
    )
    assert found["孙丽"].branch.code == "a1"
    assert found["孙丽"].category.name == "预备党员"
    li = found["李明"]
    assert li.pk == org.member_a.pk and li.branch.code == "b"
    old_period = MembershipPeriod.objects.filter(member=li).earliest("started_on")
    assert (old_period.branch.code, old_period.ended_on) == ("a1", timezone.localdate())


def test_importing_the_same_file_twice_updates_nothing(org):
    roster_import(data=csv_bytes(*GOOD_LINES), filename="r.csv")
    count = Member.objects.count()
    plan = roster_import(data=csv_bytes(*GOOD_LINES), filename="r.csv")
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 3, "errors": 0}
    assert Member.objects.count() == count


def test_xlsx_with_a_title_row_date_cells_and_numeric_phones(org):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["第一党支部党员花名册"])
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "周强",
            "男",
            EXCEL_DATE_CELL(1979, 10, 1),
            13900000021,
            "正式党员",
            45000,
            None,
            "a",
            None,
        ]
    )
    sheet.append(["吴敏", "女", "1992.03", 13900000022, "入党积极分子", None, None, "第二党支部"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = roster_import(data=buffer.getvalue(), filename="roster.xlsx")
    assert plan.messages() == []
    zhou, wu = Member.objects.get(name="周强"), Member.objects.get(name="吴敏")
    assert (zhou.birth_date, zhou.phone, zhou.branch.code) == (
        D(1979, 10, 1),
        "13900000021",
        "a",
    )
    assert zhou.joined_party_on == D(2023, 3, 15)  # Excel serial 45000
    assert (wu.birth_date, wu.category.name, wu.branch.code) == (D(1992, 3, 1), "入党积极分子", "b")


def test_bad_rows_are_all_reported_and_nothing_is_saved(org):
    before = Member.objects.count()
    data = csv_bytes(
        "赵磊,男,1985-03-12,13900000031,正式党员,,,第一党支部,",  # fine on its own
        ",男,1985-03-12,,正式党员,,,第一党支部,",
        "钱多,男,1985-13-12,,正式党员,,,第一党支部,",
        "孙立,男,,13900000031,正式党员,,,第一党支部,",
        "周全,男,,13800000002,正式党员,,,第一党支部,",
        "吴用,男,,,党员,,,第一党支部,",
        "郑和,男,,,正式党员,,,第九党支部,",
        "冯唐,x,,,正式党员,,,第一党支部,第三党小组",
        "陈平,男,,,正式党员,2020-01-01,2019-01-01,第一党小组,",
    )
    plan = roster_import(data=data, filename="bad.csv")
    assert not plan.is_valid
    assert plan.messages() == [
        "第 3 行：缺少姓名。",
        "第 4 行：出生日期“1985-13-12”不是有效日期（格式如 2020-01-05）。",
        "第 5 行：手机号 13900000031 与第 2 行重复。",
        "第 6 行：手机号 13800000002 已属于王芳。",
        "第 7 行：人员类别“党员”无效，请填写以下之一：正式党员、预备党员、入党积极分子、群众。",
        "第 8 行：未知党组织“第九党支部”。",
        "第 9 行：第一党支部下没有名为“第三党小组”的党小组。",
        "第 9 行：性别应填写“男”或“女”，不能为“x”。",
        "第 10 行：有多个名为“第一党小组”的党组织，请填写其编码。",
        "第 10 行：转正时间早于入党时间。",
    ]
    assert Member.objects.count() == before


UNUSABLE = "第 2 行：手机号 {} 无法在此使用；如号码无误，请联系组织部。"


@pytest.fixture
def holders(org):
    """Phones held outside 第一党支部: a sibling branch, another 党委, someone who left."""
    other_committee = add_branch("乡镇党委", "t", BranchKind.COMMITTEE)
    elsewhere = add_member("周强", other_committee, phone="13700000003")
    gone = add_member("吴敏", org.branch_b, phone="13700000004")
    member_deactivate(member=gone, status=Member.Status.DECEASED)
    return {"sibling": org.member_b, "other committee": elsewhere, "left": gone}


@pytest.mark.parametrize("holder", ["sibling", "other committee", "left"])
@pytest.mark.parametrize("name", ["holder's name", "another name"])
def test_a_phone_outside_the_import_branch_is_refused_without_saying_whose(
    org, holders, holder, name
):
    member = holders[holder]
    row_name = member.name if name == "holder's name" else "赵六"
    data = csv_bytes(f"{row_name},女,,{member.phone},正式党员,,,第一党支部,")
    plan = roster_import(data=data, root=org.branch_a)
    # The same words whoever holds it and wherever: no name, no organisation, no status.
    assert plan.messages() == [UNUSABLE.format(member.phone)]


def test_a_free_phone_is_added_and_a_held_one_refused_alike_at_every_holder(org, holders):
    def probe(phone: str):
        return roster_import(
            data=csv_bytes(f"赵六,女,,{phone},正式党员,,,第一党支部,"), root=org.branch_a
        )

    free = probe("13700000009")
    assert free.messages() == [] and free.counts["create"] == 1
    messages = {probe(m.phone).messages()[0].replace(m.phone, "…") for m in holders.values()}
    assert messages == {UNUSABLE.format("…")}


def test_rows_outside_the_import_branch_are_unknown(org):
    plan = roster_import(data=csv_bytes(*GOOD_LINES), root=org.branch_a)
    assert plan.messages() == ["第 4 行：未知党组织“第二党支部”。"]


def test_missing_columns_and_old_xls_are_file_errors(org):
    assert parse_roster("姓名,手机号\n张三,1\n".encode()).errors == ["缺少列：人员类别、所在支部。"]
    assert parse_roster(b"\xd0\xcf\x11\xe0" + b"\0" * 100).errors == [
        "这是旧版 .xls 文件，请另存为 .xlsx 或 CSV 后重试。"
    ]
    plan = validate_roster(parse_roster(b"not,a,roster\n"))
    assert plan.errors == ["未找到包含“姓名”列的表头行。"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-01-05", D(2020, 1, 5)),
        ("2020/1/5", D(2020, 1, 5)),
        ("2020年1月5日", D(2020, 1, 5)),
        ("2020.01.05", D(2020, 1, 5)),
        ("20200105", D(2020, 1, 5)),
        ("2020-01-05 00:00:00", D(2020, 1, 5)),
        ("2020年1月", D(2020, 1, 1)),
        (43835, D(2020, 1, 5)),
        (EXCEL_DATE_CELL(2020, 1, 5), D(2020, 1, 5)),
    ],
)
def test_parse_date_accepts_the_spellings_rosters_use(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2020-02-30", "05/01/2020", "去年", "2020"])
def test_parse_date_refuses_the_rest(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_command_dry_run_saves_nothing_and_exits_zero(org, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(*GOOD_LINES))
    before = Member.objects.count()
    call_command("import_roster", str(path), "--dry-run")
    assert "2 to create, 1 to update" in capsys.readouterr().out
    assert Member.objects.count() == before
    assert Member.objects.get(pk=org.member_a.pk).branch.code == "a1"


def test_command_with_errors_prints_rows_and_fails(org, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(GOOD_LINES[0], "吴用,男,,,党员,,,第一党支部,"))
    before = Member.objects.count()
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import_roster", str(path))
    assert "第 3 行：人员类别“党员”无效" in capsys.readouterr().err
    assert Member.objects.count() == before


def test_command_saves_a_good_file(org, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(*GOOD_LINES))
    call_command("import_roster", str(path), "--branch", "c")
    assert Member.objects.filter(name__in=["赵磊", "孙丽"]).count() == 2


def test_names_padded_with_a_full_width_space_are_stored_without_it(org):
    padded = csv_bytes(
        "王　伟,男,,13900000077,正式党员,,,第一党支部,",
        "Li  Ming,男,,,群众,,,第一党支部,",
        # The sheet pads its other columns the same way.
        "周　杰,男,,,正式　党员,,,第一　党支部,第一 党小组",
    )
    assert roster_import(data=padded, filename="名册.csv").messages() == []
    assert set(Member.objects.filter(phone="13900000077").values_list("name", flat=True)) == {
        "王伟"
    }
    assert Member.objects.filter(name="Li Ming").exists()
    zhou = Member.objects.select_related("branch", "category").get(name="周杰")
    assert (zhou.branch.code, zhou.category.name) == ("a1", "正式党员")

    # The next roster spells him without the padding: the same person, nothing to change.
    plan = roster_import(
        data=csv_bytes("王伟,男,,13900000077,正式党员,,,第一党支部,"), filename="名册.csv"
    )
    assert plan.messages() == []
    assert plan.counts["unchanged"] == 1


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("王　伟", "王伟"),
        (" 欧阳 娜娜 ", "欧阳娜娜"),
        ("买买提 · 艾力", "买买提·艾力"),
        ("Li  Ming", "Li Ming"),
        ("Anna\u00a0Smith", "Anna Smith"),
    ],
)
def test_whitespace_inside_chinese_names_is_dropped_and_latin_names_keep_one_space(raw, name):
    from groups.models.org import normalise_name

    assert normalise_name(raw) == name
