"""Every report URL × the seven personas: 200, 403, or a redirect to the login page.

The members and matrix tabs are for everyone signed in (a member sees only their own
record); the ledger, branch matrix, their print views and the follow-up list name other
members, so they are for managers. A branch outside the user's scope in the query string is
a form error on the page (200), never the report of that branch.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.groups.factories import PERSONAS

pytestmark = pytest.mark.django_db

LOGIN = 302
EVERYONE = dict.fromkeys(PERSONAS[1:], 200)
MANAGERS = {**EVERYONE, "member_a": 403, "member_b": 403}

MATRIX = [
    ("report-index", EVERYONE),
    ("report-members", EVERYONE),
    ("report-matrix", EVERYONE),
    ("report-ledger", MANAGERS),
    ("report-ledger-print", MANAGERS),
    ("report-branches", MANAGERS),
    ("report-branches-print", MANAGERS),
    ("report-follow-up", MANAGERS),
]

CASES = [
    pytest.param(name, who, expected.get(who, LOGIN), id=f"{name}-{who}")
    for name, expected in MATRIX
    for who in PERSONAS
]

# Whose scope branch a (第一党支部) lies outside of: the other branch's secretary.
OUTSIDE_A = {"secretary_b"}
ERROR = "invalid-feedback"


@pytest.mark.parametrize(("name", "who", "status"), CASES)
def test_report_urls(org, login, name, who, status):
    response = login(who).get(reverse(f"groups:{name}"))
    assert response.status_code == status
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "who", "status"), CASES)
def test_report_urls_with_a_branch_in_the_query(org, login, name, who, status):
    response = login(who).get(reverse(f"groups:{name}"), {"branch": org.branch_a.pk})
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    refused = ERROR in html or "alert-danger" in html
    # Refused as a form error (so no report of branch a) exactly when a is outside scope.
    assert refused == (who in OUTSIDE_A)
    assert ("第一党支部 · " in html or "<title>第一党支部" in html) == (
        who not in OUTSIDE_A and who not in {"member_a", "member_b"}
    )


def test_a_user_with_no_record_gets_a_message(plain_user, client):
    client.force_login(plain_user)
    response = client.get(reverse("groups:report-members"))
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert 'class="table' not in response.content.decode()
