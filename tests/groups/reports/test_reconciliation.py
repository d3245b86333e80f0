"""Every report tab counts the same rows: a total in one tab is the sum of the rows in another.

The record of factories (2025) plus a 党委 集中学习 that 第一党支部's members attended: the
members tab, the ledger, the matrix, the branch report and the detail export agree on it,
and each tab says what it counts in the same sentence.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from django.urls import reverse

from groups.attendance.services import attendance_record
from groups.exports.exporters import DetailExporter
from groups.leave import makeup
from groups.models import Attendance, MakeUpStudy
from groups.reports.branches import branch_report
from groups.reports.filters import ReportFilters
from groups.reports.ledger import ledger_rows
from groups.reports.members import member_rows
from tests.groups.factories import YEAR, build_record, local, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(org):
    record = build_record(org)
    committee = make_session(
        org.committee, "study", starts_at=local(date(YEAR, 2, 20), time(9)), topic="党委集中学习"
    )
    by = org.secretary_parent.user
    for name, status in [("李明", "present"), ("赵强", "absent"), ("王芳", "absent")]:
        row = Attendance.objects.get(session=committee, member__name=name)
        attendance_record(attendance=row, status=status, by=by)
    record.committee_session = committee
    return record


def year_of(branch) -> ReportFilters:
    return ReportFilters(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), root=branch)


FIELDS = ("expected", "present", "late", "excused", "absent")


def totals(rows) -> tuple[int, ...]:
    return tuple(sum(getattr(r, f) for r in rows) for f in FIELDS)


@pytest.mark.parametrize("branch", ["branch_a", "branch_b", "committee"])
def test_members_ledger_branch_report_and_detail_add_up_alike(record, branch):
    filters = year_of(getattr(record.org, branch))
    members = totals(member_rows(filters))
    assert members[0] > 0
    assert totals(ledger_rows(filters)) == members
    root_row = branch_report(filters).rows[0]
    assert tuple(getattr(root_row.attendance, f) for f in FIELDS) == members
    detail = list(DetailExporter(filters).rows())[1:]
    assert len(detail) == members[0]


def test_a_branch_ledger_lists_the_committee_session_its_members_attended(record):
    rows = ledger_rows(year_of(record.org.branch_a))
    committee = next(r for r in rows if r.session_id == record.committee_session.pk)
    assert committee.branch == "县直机关党委"
    # Only 第一党支部's members are counted in its ledger, as in its members tab.
    expected_here = Attendance.objects.filter(
        session=record.committee_session, member_branch__path__startswith=record.org.branch_a.path
    ).count()
    assert committee.expected == expected_here


def test_every_tab_states_its_scope_in_the_same_words(record, login):
    client = login("secretary_a")
    params = {"branch": record.org.branch_a.pk, "date_from": f"{YEAR}-01-01"}
    params["date_to"] = f"{YEAR}-12-31"
    scopes = set()
    for name in ["report-members", "report-matrix", "report-ledger", "report-branches"]:
        page = client.get(reverse(f"groups:{name}"), params).content.decode()
        scope = page.split("data-report-scope>")[1].split("</p>")[0]
        scopes.add(scope)
    assert len(scopes) == 1
    (scope,) = scopes
    assert "第一党支部" in scope and f"{YEAR}-01-01–{YEAR}-12-31" in scope


def test_make_up_study_of_a_committee_session_reaches_the_branch_secretary(record, login):
    org = record.org
    row = Attendance.objects.get(session=record.committee_session, member__name="赵强")
    task = MakeUpStudy.objects.get(attendance=row)
    makeup.makeup_submit(makeup=task, note="已自学党委集中学习的材料。")
    client = login("secretary_a")
    assert "党委集中学习" in client.get(reverse("groups:makeup-review")).content.decode()
    response = client.post(reverse("groups:makeup-confirm", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.confirmed_by == org.secretary_a.user
    # The other branch's secretary manages neither the session nor the member.
    other = login("secretary_b").post(reverse("groups:makeup-confirm", args=[task.pk]))
    assert other.status_code == 404
