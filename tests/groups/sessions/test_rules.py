"""The 三会一课 rules page: managers read the rules, the 组织部 changes them, compliance follows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import BranchExemption, KindRule, SessionKind
from groups.reports.compliance import compliance_report
from tests.groups.factories import PERSONAS
from tests.groups.sessions.test_permissions import MANAGERS

pytestmark = pytest.mark.django_db

LOGIN = 302


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def kind(code: str) -> SessionKind:
    return SessionKind.objects.get(code=code)


def cell(org, branch, code: str):
    report = compliance_report(root=org.committee, period="month", day=timezone.localdate())
    row = next(r for r in report.rows if r.branch == branch)
    return next(c for c in row.cells if c and c.kind.code == code)


def test_the_organisation_department_changes_a_default_a_subtree_rule_and_an_exemption(org, login):
    client = login("staff")
    # The 党小组会 of 第一党支部 / 第一党小组 is excused; 主题党日 there twice a month.
    client.post(
        reverse("groups:exemption-save"),
        {"branch": org.group_a.pk, "kind": kind("group_meeting").pk, "reason": "人数少"},
    )
    client.post(
        reverse("groups:kind-rule-save"),
        {"branch": org.branch_a.pk, "kind": kind("themed_day").pk, "required_count": 2,
         "period": "month"},
    )  # fmt: skip
    page = client.get(reverse("groups:rules")).content.decode()
    assert "第一党支部 / 第一党小组 · " in page and "人数少" in page
    assert cell(org, org.group_a, "group_meeting").exempt_reason == "人数少"
    assert cell(org, org.branch_a, "themed_day").required == 2

    # Both or neither: a count without a period is refused, nothing changed.
    lecture = kind("lecture")
    before = (lecture.required_count, lecture.period)
    response = client.post(
        reverse("groups:kind-default-save", args=[lecture.pk]),
        {"required_count": "2", "period": ""},
        follow=True,
    )
    assert "Give both how many sessions and per what period" in response.content.decode()
    lecture.refresh_from_db()
    assert (lecture.required_count, lecture.period) == before
    client.post(
        reverse("groups:kind-default-save", args=[lecture.pk]),
        {"required_count": "2", "period": "quarter"},
    )
    lecture.refresh_from_db()
    assert (lecture.required_count, lecture.period) == (2, "quarter")

    # Removed, the defaults hold again.
    client.post(reverse("groups:kind-rule-delete", args=[KindRule.objects.get().pk]))
    client.post(reverse("groups:exemption-delete", args=[BranchExemption.objects.get().pk]))
    assert not KindRule.objects.exists() and not BranchExemption.objects.exists()


VIEW = MANAGERS
CHANGE = {**VIEW, "secretary_a": 403, "secretary_b": 403, "secretary_parent": 403}


@pytest.mark.parametrize("who", PERSONAS)
def test_managers_read_the_rules_and_only_the_organisation_department_changes_them(org, login, who):
    client = login(who)
    assert client.get(reverse("groups:rules")).status_code == VIEW.get(who, LOGIN)
    page = client.get(reverse("groups:rules")).content.decode()
    assert (reverse("groups:kind-rule-save") in page) == (CHANGE.get(who) == 200)
    rule = KindRule.objects.create(
        branch=org.branch_a, kind=kind("themed_day"), required_count=1, period="month"
    )
    exemption = BranchExemption.objects.create(
        branch=org.group_a, kind=kind("group_meeting"), reason="人数少"
    )
    posts = [
        (reverse("groups:kind-default-save", args=[kind("lecture").pk]), {"period": ""}),
        (reverse("groups:kind-rule-save"), {}),
        (reverse("groups:exemption-save"), {}),
        (reverse("groups:kind-rule-delete", args=[rule.pk]), {}),
        (reverse("groups:exemption-delete", args=[exemption.pk]), {}),
    ]
    expected = CHANGE.get(who, LOGIN)
    for url, data in posts:
        assert client.post(url, data).status_code == (302 if expected == 200 else expected), url
    kept = KindRule.objects.filter(pk=rule.pk).exists()
    assert kept == (expected != 200)
