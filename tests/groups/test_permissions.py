"""Branch scope: a role covers its branch and subtree, nothing beside or above it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from groups.permissions import (
    can_manage_branch,
    get_branch_for_user,
    managed_branches,
    member_branches,
    scope_members,
)
from studyhub.accounts import user_uid
from tests.groups.factories import PERSONAS
from tests.matrix import LOGIN, REDIRECT, assert_outcome


def codes(queryset) -> list[str]:
    return sorted(queryset.values_list("code", flat=True))


def names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


def test_staff_manage_everything(org, staff):
    assert codes(managed_branches(staff)) == ["a", "a1", "b", "b1", "c"]
    assert scope_members(staff).count() == 5


def test_secretary_manages_their_subtree_only(org):
    user = org.secretary_a.user
    assert codes(managed_branches(user)) == ["a", "a1"]
    assert can_manage_branch(user, org.group_a)
    assert not can_manage_branch(user, org.branch_b)
    assert not can_manage_branch(user, org.committee)
    assert names(scope_members(user)) == ["张伟", "李明"]


def test_sibling_secretary_sees_nothing_of_branch_a(org):
    user = org.secretary_b.user
    assert codes(managed_branches(user)) == ["b", "b1"]
    assert "李明" not in names(scope_members(user))
    with pytest.raises(Http404):
        get_branch_for_user(user, org.branch_a.pk)


def test_parent_secretary_manages_the_whole_committee(org):
    user = org.secretary_parent.user
    assert codes(managed_branches(user)) == ["a", "a1", "b", "b1", "c"]


def test_member_belongs_to_their_group_and_its_ancestors(org):
    user = org.member_a.user
    assert codes(member_branches(user)) == ["a", "a1", "c"]
    assert not managed_branches(user).exists()
    assert names(scope_members(user)) == ["李明"]


def test_member_may_see_but_not_manage_their_branch(org):
    user = org.member_a.user
    assert get_branch_for_user(user, org.branch_a.pk) == org.branch_a
    with pytest.raises(PermissionDenied):
        get_branch_for_user(user, org.branch_a.pk, manage=True)
    with pytest.raises(Http404):
        get_branch_for_user(user, org.branch_b.pk, manage=True)


def test_anonymous_and_plain_users_have_no_scope(org, plain_user):
    for user in (AnonymousUser(), plain_user):
        assert not managed_branches(user).exists()
        assert not member_branches(user).exists()
        assert not scope_members(user).exists()


def test_scope_is_one_query_however_many_roles(org, django_assert_num_queries):
    from groups.models import BranchRole
    from groups.org import services

    services.role_assign(
        member=org.secretary_parent, branch=org.committee, role=BranchRole.Role.PUBLICITY
    )
    user = org.secretary_parent.user
    with django_assert_num_queries(1):
        assert len(list(managed_branches(user))) == 5
    with django_assert_num_queries(1):
        assert len(list(scope_members(user))) == 5


# --- The permission matrix: every organisation URL × every persona ---------------------


INVITATION = "invitation"  # member_a's login id with a token that is not theirs

#            anonymous member_a member_b sec_a sec_b sec_parent staff
MATRIX = [
    ("branch-list", None, "", [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("branch-detail", "branch_a", "", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("branch-detail", "group_b", "", [LOGIN, 404, 200, 404, 200, 200, 200]),
    ("branch-detail", "committee", "", [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("member-detail", "member_a", "", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("member-detail", "secretary_parent", "", [LOGIN, 404, 404, 404, 404, 200, 200]),
    ("member-me", None, "", [LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, 404]),
    ("roster-export", "branch_a", "?format=csv", [LOGIN, 403, 404, 200, 404, 200, 200]),
    ("roster-export", "branch_a", "?format=xlsx", [LOGIN, 403, 404, 200, 404, 200, 200]),
    ("roster-export", "branch_a", "?format=pdf", [LOGIN, 403, 404, 404, 404, 404, 404]),
    ("roster-import", "branch_a", "", [LOGIN, 403, 404, 200, 404, 200, 200]),
    ("roster-import", "group_b", "", [LOGIN, 404, 403, 404, 200, 200, 200]),
    # Without an uploaded file the preview sends managers back to the upload form.
    ("roster-import-preview", "branch_a", "", [LOGIN, 403, 404, REDIRECT, 404, REDIRECT, REDIRECT]),
    # Invitations are sent by POST (tests/groups/org/test_invitations.py); a GET goes back.
    ("branch-invite", "branch_a", "", [LOGIN, 403, 404, REDIRECT, 404, REDIRECT, REDIRECT]),
    ("member-invite", "member_a", "", [LOGIN, 403, 404, REDIRECT, 404, REDIRECT, REDIRECT]),
    # The yearly archive: its managers only; to anyone else, their own branch included, a 404.
    ("branch-archive", "branch_a", "", [LOGIN, 404, 404, 200, 404, 200, 200]),
    ("branch-archive", "group_b", "", [LOGIN, 404, 404, 404, 200, 200, 200]),
    ("branch-archive", "committee", "", [LOGIN, 404, 404, 404, 404, 200, 200]),
    # Public: whoever has the link; a wrong one gets the "no longer works" page.
    ("invitation-accept", INVITATION, "", [200, 200, 200, 200, 200, 200, 200]),
]

CASES = [
    pytest.param(name, target, query, persona, expected, id=f"{name}-{target}{query}-{persona}")
    for name, target, query, row in MATRIX
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "target", "query", "persona_name", "expected"), CASES)
def test_permission_matrix(org, login, name, target, query, persona_name, expected):
    if target == INVITATION:
        args = [user_uid(org.member_a.user), "d1b7ta-0123456789abcdef0123456789abcdef"]
    else:
        args = [getattr(org, target).pk] if target else []
    response = login(persona_name).get(reverse(f"groups:{name}", args=args) + query)
    assert_outcome(response, expected)


def test_matrix_covers_every_organisation_url():
    from groups import urls

    covered = {name for name, *_ in MATRIX}
    org_views = {
        p.name
        for p in urls.urlpatterns
        if getattr(p, "callback", None)
        and p.callback.__module__ in ("groups.org.views", "groups.archive.views")
    }
    assert org_views <= covered


# /healthz (studyhub/health.py), open to all: a load balancer asks with no login. Only staff
# read which check failed; everyone else, "ok" or "unavailable".
#            anonymous member_a member_b sec_a sec_b sec_parent staff
HEALTHZ = [200, 200, 200, 200, 200, 200, 200]


@pytest.mark.parametrize(("persona_name", "expected"), list(zip(PERSONAS, HEALTHZ, strict=True)))
def test_healthz_permission_matrix(org, login, persona_name, expected):
    response = login(persona_name).get(reverse("healthz"))
    assert_outcome(response, expected)
    if persona_name == "staff":
        assert response.content.decode().startswith("ok\ndatabase: ok\ncache: ok\n")
    else:
        assert response.content == b"ok"
