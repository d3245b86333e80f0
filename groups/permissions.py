"""Who may do what. Views ask here; templates ask through the view's context."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from groups.models import (
    Attendance,
    Branch,
    BranchRole,
    LeaveRequest,
    MakeUpStudy,
    Member,
    MinutesAttachment,
    StudySession,
)
from groups.models.org import BranchQuerySet, MemberQuerySet
from groups.models.sessions import StudySessionQuerySet
from lessons.permissions import is_staff

# --- Organisation: branch scope -------------------------------------------------------
# Every helper below returns a lazy queryset that runs as ONE query (correlated EXISTS on
# materialised paths), so callers can nest it in their own filters (e.g. sessions of
# ``managed_branches(user)``) without a query per branch or a round trip to collect ids.


# The group of 组织部 staff (migration 0013): every permission of the organisation and the
# lectures in the admin, and making logins for members.
ORGANISATION_DEPARTMENT = "组织部"


def managed_branches(user: Any) -> BranchQuerySet:
    """Return the branches the user manages: all for staff, else the subtrees of their roles."""
    if is_staff(user):
        return Branch.objects.all()
    if not user.is_authenticated:
        return Branch.objects.none()
    # A branch is managed when one of the user's current roles sits on it or an ancestor,
    # i.e. the role's branch path is a prefix of the branch's path.
    holds_role_above = BranchRole.objects.active().filter(
        member__user=user,
        member__status=Member.Status.ACTIVE,
        branch__path=Substr(OuterRef("path"), 1, Length("branch__path")),
    )
    return Branch.objects.filter(Exists(holds_role_above))


def member_branches(user: Any) -> BranchQuerySet:
    """Return the user's own branch and its ancestors (a 党小组 member is in its 党支部 too)."""
    if not user.is_authenticated:
        return Branch.objects.none()
    belongs_below = Member.objects.filter(
        user=user, status=Member.Status.ACTIVE, branch__path__startswith=OuterRef("path")
    )
    return Branch.objects.filter(Exists(belongs_below))


def visible_branches(user: Any) -> BranchQuerySet:
    """Return the branches whose page the user may open: managed ones and their own."""
    if is_staff(user):
        return Branch.objects.all()
    return managed_branches(user) | member_branches(user)


def can_manage_branch(user: Any, branch: Branch) -> bool:
    """Return whether the user may manage the branch (and so everything under it)."""
    if is_staff(user):
        return True
    return managed_branches(user).filter(pk=branch.pk).exists()


def get_branch_for_user(user: Any, pk: int, *, manage: bool = False) -> Branch:
    """Return the branch if the user may see it (manage it, with manage=True), else 404.

    A branch the user can see but not manage is a 403: its existence is no secret to them.
    """
    branch = get_object_or_404(visible_branches(user).select_related("kind"), pk=pk)
    if manage and not can_manage_branch(user, branch):
        raise PermissionDenied
    return branch


def get_managed_branch_for_user(user: Any, pk: int) -> Branch:
    """Return the branch if the user manages it (or an ancestor, or is staff), else 404.

    For pages only managers have any business with (the yearly archive): to anyone else,
    their own branch included, the page does not exist.
    """
    return get_object_or_404(managed_branches(user).select_related("kind"), pk=pk)


def get_managed_branch_for_job(user: Any, pk: int) -> Branch:
    """Return the branch a background job works on if its owner still manages it.

    A job runs later than the request that started it: a lost role fails it in these words.
    """
    from studyhub.jobs.registry import JobError

    try:
        return get_managed_branch_for_user(user, pk)
    except Http404 as exc:
        raise JobError(_("You no longer manage this branch.")) from exc


def scope_members(user: Any) -> MemberQuerySet:
    """Return the members the user may see: those in branches they manage, and themselves."""
    if is_staff(user):
        return Member.objects.all()
    if not user.is_authenticated:
        return Member.objects.none()
    return Member.objects.filter(Q(branch__in=managed_branches(user)) | Q(user=user))


# --- Sessions and their attendance ------------------------------------------------------


def visible_sessions(user: Any) -> StudySessionQuerySet:
    """Return the sessions a user may see: all of branches they manage; of their own branches,
    the open ones (not committee-only, like 支委会) and those they are expected at."""
    if is_staff(user):
        return StudySession.objects.all()
    if not user.is_authenticated:
        return StudySession.objects.none()
    # A committee meeting is for those on its snapshot; other members of the branch must
    # not find it in their list, calendar or feed.
    expected = Attendance.objects.filter(session=OuterRef("pk"), member__user=user)
    return StudySession.objects.filter(
        Q(branch__in=managed_branches(user))
        | Q(branch__in=member_branches(user), kind__committee_only=False)
        | Exists(expected)
    )


def manageable_sessions(user: Any) -> StudySessionQuerySet:
    """Return the sessions a user may edit and cancel: those of branches they manage."""
    return StudySession.objects.filter(branch__in=managed_branches(user))


def get_session_for_user(user: Any, pk: int, *, manage: bool = False) -> StudySession:
    """Return the session with what its page shows if the user may see it, else 404.

    With manage=True a session the user may see but not manage is a 403.
    """
    session = get_object_or_404(visible_sessions(user).for_page(), pk=pk)
    if manage and not manageable_sessions(user).filter(pk=pk).exists():
        raise PermissionDenied
    return session


def get_attendance_for_user(user: Any, session_pk: int, member_pk: int) -> Attendance:
    """Return a member's row at a session the user manages (404 outside scope, 403 in it)."""
    session = get_session_for_user(user, session_pk, manage=True)
    row = get_object_or_404(
        Attendance.objects.select_related("member", "member_branch", "category"),
        session=session,
        member_id=member_pk,
    )
    row.session = session  # keep the page's preloaded session
    return row


def can_manage_member(user: Any, member: Member) -> bool:
    """Return whether the user manages the member's current branch."""
    return can_manage_branch(user, member.branch)


def get_member_for_user(user: Any, pk: int, *, manage: bool = False) -> Member:
    """Return the member with what their page shows if in the user's scope, else 404.

    With manage=True (inviting them, say) a member the user may see but not manage, such as
    themself, is a 403.
    """
    member = get_object_or_404(scope_members(user).with_related(), pk=pk)
    if manage and not can_manage_member(user, member):
        raise PermissionDenied
    return member


# --- Personal details (个人信息保护法) ---------------------------------------------------
# A member's phone number and birth date are for those responsible for them: staff (组织部),
# the managers of a branch that contains the member's current branch, and the member
# themself. Everyone else, on any page or in any file, sees them masked
# (groups/org/masking.py). The two helpers below are the same rule, for one member and for
# a list (in its own query, so masking never costs a query per row).


def may_see_personal_details(user: Any, member: Member) -> bool:
    """Return whether the user may see the member's phone number and birth date in full."""
    if is_staff(user):
        return True
    if not user.is_authenticated:
        return False
    return member.user_id == user.pk or can_manage_member(user, member)


def with_personal_details_visible(user: Any, members: MemberQuerySet) -> MemberQuerySet:
    """Annotate each member with ``personal_details_visible`` (may_see_personal_details)."""
    if is_staff(user):
        return members.annotate(personal_details_visible=Value(True))
    if not user.is_authenticated:
        return members.annotate(personal_details_visible=Value(False))
    return members.annotate(
        personal_details_visible=ExpressionWrapper(
            Q(branch__in=managed_branches(user)) | Q(user=user), output_field=BooleanField()
        )
    )


# --- Reading: a member acts for themselves; managers read their members' notes ------------


def own_member(user: Any) -> Member | None:
    """Return the user's own active member profile, or None (anonymous, staff without one)."""
    if not user.is_authenticated:
        return None
    return Member.objects.active().select_related("branch").filter(user=user).first()


def get_own_member(user: Any) -> Member:
    """Return the user's own active member profile (one acts for oneself), else 404."""
    member = own_member(user)
    if member is None:
        raise Http404
    return member


def manages_any_branch(user: Any) -> bool:
    """Return whether the user manages at least one branch (staff manage them all)."""
    return managed_branches(user).exists()


def require_manager(user: Any) -> None:
    """Refuse with 403 a user who manages no branch: the managers' pages are no secret."""
    if not manages_any_branch(user):
        raise PermissionDenied


def must_use_second_factor(user: Any) -> bool:
    """Return whether the user must log in with two-step verification when the site requires it:
    staff and everyone who manages a branch, who see members' personal details."""
    return is_staff(user) or manages_any_branch(user)


def is_organisation_department(user: Any) -> bool:
    """Return whether the user is 组织部 staff, who keep the organisation's settings."""
    return is_staff(user)


def require_organisation_department(user: Any) -> None:
    """Refuse with 403 a change to the organisation's settings from anyone but the 组织部."""
    if not is_organisation_department(user):
        raise PermissionDenied


# --- Leave, make-up study and minutes -----------------------------------------------------
# Leave is decided by the managers of the session's branch (who organise it); make-up study
# is confirmed by them or by the managers of the member's branch, so the 补学 of a 党委's
# session reaches the 党支部 secretary who follows the member up. A member acts only on
# their own request and task. Minutes attachments go to whoever may
# see the session (members read the minutes for their make-up study).


def get_leave_request_for_manager(user: Any, pk: int) -> LeaveRequest:
    """Return a leave request for a session the user manages, else 404."""
    requests = LeaveRequest.objects.filter(session__branch__in=managed_branches(user))
    return get_object_or_404(requests.select_related("session", "member"), pk=pk)


def managed_makeups(user: Any) -> QuerySet[MakeUpStudy]:
    """Return the make-up tasks the user confirms: of sessions or of members they manage."""
    if not user.is_authenticated:
        return MakeUpStudy.objects.none()
    managed = managed_branches(user)
    return MakeUpStudy.objects.filter(
        Q(attendance__session__branch__in=managed) | Q(attendance__member_branch__in=managed)
    )


def visible_makeups(user: Any) -> QuerySet[MakeUpStudy]:
    """Return the make-up tasks the user may see: their own and those they confirm."""
    if not user.is_authenticated:
        return MakeUpStudy.objects.none()
    return MakeUpStudy.objects.filter(
        Q(attendance__member__user=user) | Q(pk__in=managed_makeups(user).values("pk"))
    )


def get_makeup_for_user(
    user: Any, pk: int, *, manage: bool = False, own: bool = False
) -> MakeUpStudy:
    """Return a make-up task the user may see, else 404; 403 when they may not act on it.

    With manage=True only one who confirms it (managed_makeups) may have it, with own=True
    only the member it belongs to.
    """
    makeup = get_object_or_404(
        visible_makeups(user).select_related(
            "attendance__member__user", "attendance__session__kind", "confirmed_by"
        ),
        pk=pk,
    )
    if own and makeup.attendance.member.user_id != user.pk:
        raise PermissionDenied
    if manage and not managed_makeups(user).filter(pk=makeup.pk).exists():
        raise PermissionDenied
    return makeup


def get_attachment_for_user(user: Any, token: Any, *, manage: bool = False) -> MinutesAttachment:
    """Return a minutes attachment by its token if the user may see its session (a 支委会's
    only to those it expects), else 404; 403 to manage one of a session they do not manage."""
    attachment = get_object_or_404(
        MinutesAttachment.objects.filter(
            minutes__session__in=visible_sessions(user)
        ).select_related("minutes__session__branch"),
        token=token,
    )
    if manage and not can_manage_branch(user, attachment.minutes.session.branch):
        raise PermissionDenied
    return attachment
