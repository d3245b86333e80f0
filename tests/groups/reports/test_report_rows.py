"""Report selectors on the hand-built record of factories_reports (figures worked out there)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from groups.models import MemberCategory, SessionKind
from groups.reports.branches import branch_report
from groups.reports.filters import ReportFilters
from groups.reports.follow_up import follow_up_for_user, follow_up_rows
from groups.reports.ledger import ledger_rows
from groups.reports.matrix import matrix_report
from groups.reports.members import member_rows
from tests.groups.factories import YEAR, build_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(org):
    return build_record(org)


def year_of(root, **extra) -> ReportFilters:
    return ReportFilters(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), root=root, **extra)


def as_table(rows) -> list[tuple]:
    return [
        (r.group, r.name, r.expected, r.present, r.late, r.excused, r.absent)
        + (r.not_recorded, r.makeup_done)
        for r in rows
    ]


def test_member_rows_divide_by_the_snapshot(record):
    rows = member_rows(year_of(record.org.branch_a))
    # (group, name, expected, present, late, excused, absent, not recorded, make-up done)
    assert as_table(rows) == [
        ("第一党支部", "张伟", 5, 4, 0, 1, 0, 0, 0),
        ("第一党小组", "孙丽", 3, 0, 0, 0, 3, 0, 1),
        ("第一党小组", "李明", 5, 3, 1, 0, 1, 0, 0),
        ("第一党小组", "赵强", 3, 1, 0, 1, 0, 1, 0),
    ]
    assert [r.rate for r in rows] == [0.8, 0.0, 0.8, pytest.approx(1 / 3)]


def test_a_transferred_member_keeps_old_records_under_the_old_group(record):
    rows = member_rows(year_of(record.org.committee))
    sun = [(r.group, r.expected, r.absent) for r in rows if r.name == "孙丽"]
    assert sun == [("第一党支部 / 第一党小组", 3, 3), ("第二党支部 / 第一党小组", 3, 2)]


def test_member_rows_filter_by_kind_category_and_period(record):
    a = record.org.branch_a
    themed = year_of(a, kinds=(SessionKind.objects.get(code="themed_day"),))
    assert [(r.name, r.expected, r.attended) for r in member_rows(themed)] == [
        ("张伟", 2, 1),
        ("孙丽", 1, 0),
        ("李明", 2, 1),
        ("赵强", 1, 0),
    ]
    probationary = year_of(a, categories=(MemberCategory.objects.get(code="probationary"),))
    assert [r.name for r in member_rows(probationary)] == ["赵强"]
    january = ReportFilters(start=date(YEAR, 1, 1), end=date(YEAR, 1, 31), root=a)
    assert [(r.name, r.expected) for r in member_rows(january)] == [
        ("张伟", 2),
        ("孙丽", 2),
        ("李明", 2),
    ]


def test_a_member_sees_only_their_own_record(record):
    mine = ReportFilters(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), member=record.org.member_a)
    assert [(r.name, r.expected, r.attended) for r in member_rows(mine)] == [("李明", 5, 4)]


def test_matrix_cells(record):
    report = matrix_report(year_of(record.org.branch_a))
    assert len(report.months) == 12
    cells = {r.name: [c.text for c in r.cells[:4]] for r in report.rows}
    assert cells == {
        "张伟": ["日假 学✓", "学✓", "日✓ 学✓", ""],
        "孙丽": ["日✗ 学✗补", "学✗", "", ""],
        "李明": ["日✓ 学✓", "学✓", "日✗ 学✓", ""],
        "赵强": ["", "学✓", "日假 学○", ""],
    }
    assert ("学", "集中学习") in report.legend and ("日", "主题党日") in report.legend
    assert [r.group for r in report.rows] == ["第一党支部"] + ["第一党小组"] * 3


def test_ledger(record):
    rows = ledger_rows(year_of(record.org.branch_a))
    # S4 was cancelled: the ledger lists what was held.
    assert [r.session_id for r in rows] == [
        record.sessions[k].pk for k in ("S1", "S2", "S3", "S5", "S6")
    ]
    first = rows[0]
    assert (first.day, first.starts, first.ends, first.minutes) == (
        date(YEAR, 1, 10),
        time(14, 30),
        time(16, 0),
        90,
    )
    assert (first.host, first.recorder, first.kind, first.branch) == (
        "张伟",
        "李明",
        "集中学习",
        "第一党支部",
    )
    table = [
        (r.expected, r.attended, r.excused, r.absent, r.excused_names, r.absent_names) for r in rows
    ]
    assert table == [
        (3, 2, 0, 1, [], ["孙丽"]),
        (3, 1, 1, 1, ["张伟"], ["孙丽"]),
        (4, 3, 0, 1, [], ["孙丽"]),
        (3, 1, 1, 1, ["赵强"], ["李明"]),
        (3, 2, 0, 0, [], []),
    ]
    assert rows[-1].minutes == 120 and rows[-1].not_recorded == 1
    assert rows[1].rate == pytest.approx(1 / 3)


def test_follow_up_lists_three_unexcused_absences_in_a_row(record, settings):
    org = record.org
    rows = follow_up_rows(year_of(org.committee), absences=3)
    assert [(r.name, r.branch, r.first, r.last) for r in rows] == [
        ("孙丽", "第一党小组", date(YEAR, 2, 14), date(YEAR, 3, 20))
    ]
    # Her current branch is b's: b's secretary follows her up, not a's (that spring).
    with time_machine.travel(datetime(YEAR, 6, 1, 12, tzinfo=UTC), tick=False):
        assert [r.name for r in follow_up_for_user(org.secretary_b.user, absences=3)] == ["孙丽"]
        assert follow_up_for_user(org.secretary_a.user, absences=3) == []
        assert [r.name for r in follow_up_for_user(org.secretary_parent.user, absences=3)] == [
            "孙丽"
        ]
        assert follow_up_for_user(org.member_a.user, absences=3) == []
    # 王芳: absent, excused, absent — two absences in a row at most.
    assert [r.name for r in follow_up_rows(year_of(org.branch_b), absences=2)] == ["孙丽"]
    assert {r.name for r in follow_up_rows(year_of(org.committee), absences=1)} == {
        "孙丽",
        "王芳",
    }


def test_branch_report(record):
    org = record.org
    kinds = tuple(SessionKind.objects.filter(code__in=["study", "themed_day"]))
    filters = ReportFilters(
        start=date(YEAR, 1, 1), end=date(YEAR, 3, 31), root=org.committee, kinds=kinds
    )
    report = branch_report(filters)
    assert [k.code for k in report.kinds] == ["themed_day", "study"]
    rows = {r.branch_id: r for r in report.rows}
    committee, a, b = rows[org.committee.pk], rows[org.branch_a.pk], rows[org.branch_b.pk]
    assert (a.attendance.expected, a.attendance.attended) == (16, 9)
    assert (b.attendance.expected, b.attendance.attended) == (9, 3)
    assert (committee.attendance.expected, committee.attendance.attended) == (25, 12)
    # Branch a: weekly study needs 5 (January has five Thursdays), 4, 4; held 1, 1 (S4 was
    # cancelled), 1. Monthly themed day: held in January and March.
    cells = [
        (c.month.month, c.held, c.required) if c else None
        for c in (report.cell(a, m, k) for m in range(3) for k in range(2))
    ]
    assert cells == [(1, 1, 1), (1, 1, 5), (2, 0, 1), (2, 1, 4), (3, 1, 1), (3, 1, 4)]
    assert (a.counted, a.required) == (5, 16)
    assert [m.rate for m in report.month_rates] == [0.5, 0.75, 0.4]

    # Printed, the months are split into runs that fit A4; each row keeps its own cells.
    spans = report.spans(columns=4)
    assert [[m.month for m in span.months] for span in spans] == [[1, 2], [3]]
    assert [span.last for span in spans] == [False, True]
    second = next(cells for row, cells in spans[1].rows if row is a)
    assert [(c.month.month, c.held, c.required) for c in second] == [(3, 1, 1), (3, 1, 4)]
    assert report.spans() == [report.spans(columns=len(cells))[0]]


# --- The filter form -------------------------------------------------------------------------


def _form(user, member=None, **data):
    from django.http import QueryDict

    from groups.reports.forms import ReportFilterForm

    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return ReportFilterForm(query, user=user, member=member, today=date(YEAR, 6, 15))


def test_form_defaults_to_the_top_managed_branch_and_the_year_to_date(org):
    form = _form(org.secretary_parent.user)
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert (filters.root, filters.start, filters.end) == (
        org.committee,
        date(YEAR, 1, 1),
        date(YEAR, 6, 15),
    )
    assert filters.member is None and filters.kinds == () and filters.categories == ()


def test_form_for_a_member_reports_their_own_record(org):
    form = _form(org.member_a.user, member=org.member_a, branch=str(org.branch_b.pk))
    assert form.is_valid(), form.errors
    assert "branch" not in form.fields
    assert (form.filters().root, form.filters().member) == (None, org.member_a)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date_from": f"{YEAR}-05-01", "date_to": f"{YEAR}-04-01"}, "date_to"),
        ({"date_from": "1999-12-31"}, "date_from"),
        ({"date_to": f"{YEAR + 7}-01-01"}, "date_to"),  # more than five years ahead
        ({"date_from": "2020-01-01"}, "date_to"),  # more than three years
        ({"date_from": "yesterday"}, "date_from"),
        ({"branch": "b"}, "branch"),
        ({"branch": "999999"}, "branch"),
        ({"kinds": ["999999"]}, "kinds"),
    ],
)
def test_form_refuses_bad_filters(org, data, field):
    form = _form(org.secretary_a.user, **data)
    assert not form.is_valid()
    assert field in form.errors


def test_form_refuses_a_branch_outside_scope(org):
    form = _form(org.secretary_a.user, branch=str(org.branch_b.pk))
    assert not form.is_valid() and "branch" in form.errors
    form = _form(org.secretary_a.user, branch=str(org.group_a.pk))
    assert form.is_valid() and form.filters().root == org.group_a


def test_the_dashboards_follow_up_list_reads_only_the_last_twelve_months(record):
    secretary = record.org.secretary_b.user
    with time_machine.travel(datetime(YEAR + 1, 2, 1, 12, tzinfo=UTC), tick=False):
        assert [r.name for r in follow_up_for_user(secretary, absences=3)] == ["孙丽"]
    # Her three absences (14 February to 20 March) are more than a year old by next April.
    with time_machine.travel(datetime(YEAR + 1, 4, 1, 12, tzinfo=UTC), tick=False):
        assert follow_up_for_user(secretary, absences=3) == []
