"""Each report page runs the same number of queries on a small and a large organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import Attendance
from tests.groups.factories import grow_record

pytestmark = pytest.mark.django_db

PAGES = [
    "report-members",
    "report-matrix",
    "report-ledger",
    "report-ledger-print",
    "report-branches",
    "report-branches-print",
    "report-follow-up",
]


def count_queries(client, params) -> dict[str, int]:
    counts = {}
    for name in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(f"groups:{name}"), params)
        assert response.status_code == 200, name
        assert b"invalid-feedback" not in response.content, name
        counts[name] = len(queries)
    return counts


def test_report_queries_do_not_grow_with_the_organisation(org, login):
    today = timezone.localdate()
    params = {
        "branch": org.committee.pk,
        "date_from": (today - timedelta(days=200)).isoformat(),
        "date_to": today.isoformat(),
    }
    client = login("secretary_parent")
    grow_record(org.committee, branches=2, members=10)
    small = count_queries(client, params)
    small_rows = Attendance.objects.count()

    grow_record(org.committee, branches=20, members=600)
    assert Attendance.objects.count() > 20 * small_rows
    large = count_queries(client, params)
    assert large == small
    assert {name: count for name, count in small.items() if count > 12} == {}


def test_the_branches_report_runs_the_same_queries_for_a_month_and_for_two_years(org, login):
    today = timezone.localdate()
    client = login("secretary_parent")
    grow_record(org.committee, branches=3, members=10)
    by_span = {}
    for days in (20, 730):
        params = {
            "branch": org.committee.pk,
            "date_from": (today - timedelta(days=days)).isoformat(),
            "date_to": today.isoformat(),
        }
        by_span[days] = count_queries(client, params)
    assert by_span[20] == by_span[730]
