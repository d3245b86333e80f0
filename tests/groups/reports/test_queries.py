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
    # One compliance pass per month of the period (8 months here), the rest constant.
    assert small["report-members"] <= 12
    assert small["report-matrix"] <= 12
    assert small["report-ledger"] <= 12
    assert small["report-follow-up"] <= 12
    # compliance_report per month: branches, kinds, their branch kinds, rules, exemptions, counts.
    months = len({(today - timedelta(days=d)).replace(day=1) for d in range(201)})
    assert small["report-branches"] <= 12 + 6 * months
