"""Absurd values in query strings and forms are form errors or 404s, never a 500.

(Issue 9, item 12, in part: the ids of filters and the calendar's year.)
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import StudySession

pytestmark = pytest.mark.django_db

HUGE = "9" * 20  # more than any database id column holds


@pytest.mark.parametrize("name", ["report-members", "report-matrix", "report-ledger"])
@pytest.mark.parametrize("field", ["kinds", "categories", "branch"])
def test_a_report_filtered_by_an_id_no_database_holds_says_so(org, login, name, field):
    response = login("secretary_parent").get(reverse(f"groups:{name}"), {field: HUGE})
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.context["form"].errors


def test_a_session_with_a_section_id_no_database_holds_is_refused_unsaved(org, login):
    response = login("secretary_a").post(
        reverse("groups:session-create"),
        {"branch": org.branch_a.pk, "sections": [HUGE], "topic": "学习"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not StudySession.objects.exists()
