"""Branch choosers tell apart the 第一党小组 of every 党支部 by their path."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    found = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select)
    return [label.strip() for value, label in found if value]


@pytest.mark.parametrize(
    "url", ["groups:session-create", "groups:session-list", "groups:report-members"]
)
def test_a_committee_secretary_chooses_among_paths_not_twin_names(org, login, url):
    page = login("secretary_parent").get(reverse(url)).content.decode()
    labels = options(page, "branch")
    assert labels[:1] == ["县直机关党委"]
    assert "第一党支部 / 第一党小组" in labels and "第二党支部 / 第一党小组" in labels
    assert len(labels) == len(set(labels))


def test_a_branch_secretary_sees_their_branch_then_its_groups(org, login):
    page = login("secretary_a").get(reverse("groups:session-create")).content.decode()
    assert options(page, "branch") == ["第一党支部", "第一党支部 / 第一党小组"]
