"""Column and page titles read in Chinese as what they are, not as a homonym's translation.

"Start" is the home page and a start time, "Minutes" the meeting record and a duration,
"Reason" a cancellation's and a leave request's: each use has its own pgettext context.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from groups.exports.exporters import EXPORTERS
from groups.leave import services as leave
from groups.reports.filters import ReportFilters
from tests.groups.factories import YEAR, build_record, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def chinese_header(identifier: str, org) -> list[str]:
    filters = ReportFilters(
        start=timezone.localdate().replace(month=1, day=1),
        end=timezone.localdate(),
        root=org.committee,
    )
    with translation.override("zh-hans"):
        return [str(title) for title in EXPORTERS[identifier](filters).header()]


@pytest.mark.parametrize("identifier", sorted(EXPORTERS))
def test_no_export_has_two_columns_of_one_name_nor_a_page_title_for_a_column(org, identifier):
    titles = chinese_header(identifier, org)
    assert len(titles) == len(set(titles)), titles
    assert not {"首页", "会议记录", "取消原因"} & set(titles)


def test_the_detail_and_the_ledger_say_start_end_and_duration(org):
    assert chinese_header("detail", org)[4:7] == ["日期", "开始时间", "结束时间"]
    assert chinese_header("ledger", org)[:4] == ["日期", "开始时间", "结束时间", "时长（分钟）"]


def test_the_ledger_page_heads_the_duration_column_as_such(org, login):
    build_record(org)
    page = (
        login("secretary_parent")
        .get(reverse("groups:report-ledger"), {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"})
        .content.decode()
    )
    assert "时长（分钟）" in page


def test_the_leave_queue_heads_the_reason_for_leave(org, login):
    leave.leave_request(session=make_session(org.branch_a), member=org.member_a, reason="出差")
    page = login("secretary_a").get(reverse("groups:leave-pending")).content.decode()
    assert "请假事由" in page and "取消原因" not in page


def test_the_compliance_page_names_a_quarter_in_chinese(org, login):
    page = (
        login("secretary_a")
        .get(reverse("groups:compliance"), {"branch": org.branch_a.pk, "period": "quarter"})
        .content.decode()
    )
    assert "2026年第4季度" in page and "2026 Q4" not in page


def test_the_admin_is_studyhubs_not_djangos(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "党员学习平台管理后台" in page and "Django" not in page
