"""The report download × the seven personas: 200, 400 (a branch not theirs), 403, or login.

Members manage nothing, so they may not export (403). A manager asking for a branch
outside their subtree gets the filter form's message (400), never the file.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.groups.factories import PERSONAS, make_session

pytestmark = pytest.mark.django_db

LOGIN = 302
# Without a branch: the user's top managed branch.
OWN_BRANCH = {
    "member_a": 403,
    "member_b": 403,
    "secretary_a": 200,
    "secretary_b": 200,
    "secretary_parent": 200,
    "staff": 200,
}
BRANCH_A = {**OWN_BRANCH, "secretary_b": 400}

MATRIX = [
    (report, file_format, target, expected)
    for report in ("detail", "members", "matrix", "ledger", "branches")
    for file_format in ("csv", "xlsx")
    for target, expected in ((None, OWN_BRANCH), ("a", BRANCH_A))
]

CASES = [
    pytest.param(
        report, file_format, target, who, expected.get(who, LOGIN),
        id=f"{report}-{file_format}-{target}-{who}",
    )
    for report, file_format, target, expected in MATRIX
    for who in PERSONAS
]  # fmt: skip


@pytest.mark.parametrize(("report", "file_format", "target", "who", "status"), CASES)
def test_report_export(org, login, report, file_format, target, who, status):
    make_session(org.branch_a, "themed_day")
    query = {"report": report, "format": file_format}
    if target:
        query["branch"] = org.branch_a.pk
    response = login(who).get(reverse("groups:report-export"), query)
    assert response.status_code == status
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))
