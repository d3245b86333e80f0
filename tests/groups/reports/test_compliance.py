"""Compliance: required vs held per branch × kind on a hand-built month, rules and exemptions."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import BranchExemption, BranchKind, KindRule
from groups.reports.compliance import (
    compliance_report,
    compliance_reports,
    period_bounds,
    periods_in,
)
from tests.groups.factories import kind, local, make_branch, make_session

pytestmark = pytest.mark.django_db

NOW = local(date(2026, 3, 22), time(10, 0))  # a Sunday; March ends in 10 days


@pytest.fixture
def dataset():
    c = make_branch("县直机关党委", BranchKind.COMMITTEE)
    a = make_branch("第一党支部", parent=c)
    a1 = make_branch("第一党小组", BranchKind.GROUP, parent=a)
    b = make_branch("第二党支部", parent=c)
    march = lambda d: local(date(2026, 3, d))  # noqa: E731
    make_session(a, "committee_meeting", starts_at=march(5), status="held")
    make_session(b, "committee_meeting", starts_at=march(6), status="cancelled", cancel_reason="x")
    make_session(b, "committee_meeting", starts_at=march(28))  # planned
    make_session(c, "committee_meeting", starts_at=march(3))  # the 党委's own: not a 支委会
    make_session(a, "themed_day", starts_at=march(10))  # still "scheduled": started, so held
    make_session(c, "lecture", starts_at=march(15))  # a 党委-wide 党课 counts below
    for day in (3, 10, 17, 24, 31):
        make_session(c, "study", starts_at=march(day))
    make_session(a1, "group_meeting", starts_at=march(12))
    make_session(a, "themed_day", starts_at=local(date(2026, 2, 10)))  # another month
    KindRule.objects.create(
        branch=a, kind=kind("committee_meeting"), required_count=2, period="month"
    )
    KindRule.objects.create(
        branch=c, kind=kind("general_meeting"), required_count=0, period="quarter"
    )
    BranchExemption.objects.create(branch=b, kind=kind("organisational_life"), reason="新成立")
    return c, a, a1, b


def table(report):
    """Return {branch: {kind code: (held, required, planned, days left or 'exempt')}}."""
    return {
        row.branch.name if row.branch.depth < 3 else f"{row.branch.name}(a1)": {
            cell.kind.code: "exempt"
            if cell.is_exempt
            else (cell.held, cell.required, cell.planned, cell.days_left)
            for cell in row.cells
            if cell
        }
        for row in report.rows
    }


def test_month_numbers(dataset):
    c, *_ = dataset
    report = compliance_report(root=c, period="month", day=date(2026, 3, 22), now=NOW)
    assert [k.code for k in report.kinds] == [
        "committee_meeting",
        "group_meeting",
        "lecture",
        "themed_day",
        "study",
        "organisational_life",
    ]
    assert table(report) == {
        "县直机关党委": {"study": (3, 4, 2, 10)},
        "第一党支部": {
            "committee_meeting": (1, 2, 0, 10),  # the subtree rule asks for two
            "lecture": (1, 1, 0, 10),  # judged over Q1, which also ends in 10 days
            "themed_day": (1, 1, 0, 10),
            "study": (3, 4, 2, 10),  # the 党委's weekly study counts; 4 Thursdays in March
            "organisational_life": (0, 1, 0, 285),
        },
        "第一党小组(a1)": {"group_meeting": (1, 1, 0, 10)},
        "第二党支部": {
            "committee_meeting": (0, 1, 1, 10),  # the cancelled one never counts
            "lecture": (1, 1, 0, 10),
            "themed_day": (0, 1, 0, 10),
            "study": (3, 4, 2, 10),
            "organisational_life": "exempt",
        },
    }
    assert (report.counted, report.required) == (14, 21)
    behind = {(r.branch.name, c.kind.code) for r in report.rows for c in r.behind}
    assert ("第二党支部", "committee_meeting") in behind
    assert ("第一党支部", "lecture") not in behind
    lecture = next(c for c in report.rows[1].cells if c and c.kind.code == "lecture")
    assert lecture.label == "2026年第1季度"


def test_quarter_multiplies_shorter_rules(dataset):
    c, _a, _a1, b = dataset
    report = compliance_report(root=b, period="quarter", day=date(2026, 3, 22), now=NOW)
    assert [row.branch for row in report.rows] == [b]
    assert table(report)["第二党支部"]["committee_meeting"] == (0, 3, 1, 10)
    assert table(report)["第二党支部"]["study"] == (3, 13, 2, 10)  # 13 Thursdays in Q1 2026


def test_a_past_month_is_missed_not_behind(dataset):
    c, *_ = dataset
    report = compliance_report(root=c, period="month", day=date(2026, 2, 1), now=NOW)
    cells = {(r.branch.name, cell.kind.code): cell for r in report.rows for cell in r.cells if cell}
    themed = cells[("第一党支部", "themed_day")]
    assert (themed.held, themed.required, themed.days_left, themed.is_met) == (1, 1, 0, True)
    missed = cells[("第二党支部", "themed_day")]
    assert missed.is_missed and not missed.is_behind


def test_a_future_month_has_not_begun(dataset):
    c, *_ = dataset
    report = compliance_report(root=c, period="month", day=date(2026, 5, 1), now=NOW)
    cell = next(cell for r in report.rows for cell in r.cells if cell)
    assert cell.days_left is None and not cell.is_behind


def test_period_helpers():
    assert period_bounds("week", date(2026, 3, 22)) == (date(2026, 3, 16), date(2026, 3, 23))
    assert period_bounds("month", date(2026, 12, 5)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert period_bounds("quarter", date(2026, 11, 5)) == (date(2026, 10, 1), date(2027, 1, 1))
    assert period_bounds("year", date(2026, 11, 5)) == (date(2026, 1, 1), date(2027, 1, 1))
    assert periods_in("week", date(2026, 2, 1), date(2026, 3, 1)) == 4
    assert periods_in("week", date(2026, 10, 1), date(2026, 11, 1)) == 5  # Thursday the 1st
    assert periods_in("week", date(2026, 11, 1), date(2026, 12, 1)) == 4  # 5 Mondays, 4 Thu
    assert periods_in("month", date(2026, 1, 1), date(2027, 1, 1)) == 12
    assert periods_in("quarter", date(2026, 1, 1), date(2027, 1, 1)) == 4


def test_query_count_does_not_grow_with_the_subtree(dataset):
    c, *_ = dataset
    with CaptureQueriesContext(connection) as small:
        compliance_report(root=c, period="month", day=date(2026, 3, 22), now=NOW)
    for n in range(10):
        branch = make_branch(f"第{n + 3}党支部", parent=c)
        make_session(branch, "committee_meeting", starts_at=local(date(2026, 3, 1 + n)))
    with CaptureQueriesContext(connection) as large:
        report = compliance_report(root=c, period="month", day=date(2026, 3, 22), now=NOW)
    assert len(report.rows) == 14
    # Branches, kinds with what they apply to, rules with exemptions, session counts.
    assert len(large) == len(small) == 4
    # A year, month by month, in the same four.
    months = [date(2026, m, 1) for m in range(1, 13)]
    with CaptureQueriesContext(connection) as year:
        reports = compliance_reports(root=c, period="month", days=months, now=NOW)
    assert len(year) == 4
    assert reports[2].rows == report.rows
