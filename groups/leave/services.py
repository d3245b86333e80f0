"""请假: a member asks for leave before a session; the branch's managers approve or reject it.

Approval marks the member's attendance row excused and gives them a make-up study task
(``groups.leave.makeup``). A member may ask only for a session they are expected at (they have an
attendance row), only before it starts, and have one open (pending or approved) request
at a time — the database holds that last rule too (``leave_one_open_request``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.attendance.services import attendance_record
from groups.leave.makeup import makeup_ensure
from groups.models import Attendance, LeaveRequest, MakeUpStudy, Member, StudySession
from groups.permissions import managed_branches

REASON_MAX_LENGTH = 200
ALREADY_ATTENDED = gettext_lazy(
    "You are already marked present at this session: leave can no longer be asked for."
)


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def leave_request(*, session: StudySession, member: Member, reason: str) -> LeaveRequest:
    """Ask for leave from a session the member is expected at, before it starts."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for your leave request."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason within %(max)d characters.") % {"max": REASON_MAX_LENGTH}
        )
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled."))
    if session.has_started:
        raise ValidationError(_("Leave can only be asked for before the session starts."))
    # Locked, so a check-in at the same moment is seen here or sees this request.
    attendance = (
        Attendance.objects.select_for_update().filter(session=session, member=member).first()
    )
    if attendance is None:
        raise ValidationError(_("You are not expected at this session."))
    if attendance.attended:
        # Approval would refuse it, leaving the request pending for ever.
        raise ValidationError(ALREADY_ATTENDED)
    already = _("You have already asked for leave from this session.")
    if LeaveRequest.objects.filter(
        session=session, member=member, status__in=LeaveRequest.OPEN
    ).exists():
        raise ValidationError(already)
    try:
        # A savepoint, so a concurrent double submit that trips the constraint leaves the
        # outer transaction usable and the member gets the message, not a 500.
        with transaction.atomic():
            return LeaveRequest.objects.create(session=session, member=member, reason=reason)
    except IntegrityError as exc:
        raise ValidationError(already) from exc


def _pending_for_update(request: LeaveRequest, by: Any) -> LeaveRequest:
    """Lock a request and check that it is still pending and not the decider's own."""
    request = LeaveRequest.objects.select_for_update().select_related("member").get(pk=request.pk)
    if request.status != LeaveRequest.Status.PENDING:
        raise ValidationError(_("This leave request has already been decided."))
    if request.member.user_id is not None and request.member.user_id == by.pk:
        raise ValidationError(_("Someone else must decide your own leave request."))
    return request


def _decide(request: LeaveRequest, *, status: str, by: Any, note: str = "") -> None:
    request.status = status
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def leave_approve(*, request: LeaveRequest, by: Any) -> LeaveRequest:
    """Approve a pending request: the member's attendance becomes excused, with a make-up task."""
    # The attendance row is locked before the request, in the order attendance_record takes
    # them (it withdraws the pending leave of a member marked present): a manager taking
    # attendance or the member checking in at the same moment waits for this change, or
    # this waits for theirs, instead of the two deadlocking.
    attendance = (
        Attendance.objects.select_for_update()
        .filter(session_id=request.session_id, member_id=request.member_id)
        .first()
    )
    if attendance is None:
        raise ValidationError(
            _("%(member)s is no longer expected at this session.") % {"member": request.member.name}
        )
    if attendance.attended:
        raise ValidationError(
            _("%(member)s is already marked present at this session.")
            % {"member": request.member.name}
        )
    request = _pending_for_update(request, by)
    _decide(request, status=LeaveRequest.Status.APPROVED, by=by)
    attendance = attendance_record(
        attendance=attendance,
        status=Attendance.Status.EXCUSED,
        note=attendance.note or request.reason,
        by=by,
    )
    makeup_ensure(attendance=attendance)
    return request


@transaction.atomic
def leave_reject(*, request: LeaveRequest, by: Any, note: str) -> LeaveRequest:
    """Reject a pending request with a note to the member; their attendance stays as it is."""
    note = note.strip()
    if not note:
        raise ValidationError(_("Say why the request is rejected."))
    request = _pending_for_update(request, by)
    _decide(request, status=LeaveRequest.Status.REJECTED, by=by, note=note[:REASON_MAX_LENGTH])
    return request


# --- Read paths ---------------------------------------------------------------------------


def pending_leave_requests(user: Any) -> QuerySet[LeaveRequest]:
    """Return the pending requests for sessions the user manages, soonest session first."""
    return (
        LeaveRequest.objects.filter(
            status=LeaveRequest.Status.PENDING,
            session__branch__in=managed_branches(user),
        )
        .select_related("session__kind", "session__branch", "member__branch")
        .order_by("session__starts_at", "created_at", "pk")
    )


@dataclass
class LeavePanel:
    """What the session page shows a member about their own leave and make-up study."""

    attendance: Attendance | None
    request: LeaveRequest | None
    may_ask: bool

    @property
    def makeup(self) -> MakeUpStudy | None:
        """Return the member's make-up task for the session (fetched with the row), if any."""
        return getattr(self.attendance, "makeup", None) if self.attendance else None

    @property
    def attended_already(self) -> bool:
        """Return whether the member is marked present or late, so leave is out of the question."""
        return self.attendance is not None and self.attendance.attended

    attended_message = ALREADY_ATTENDED


# The fields of the member's latest leave request that the session page shows.
_PANEL_REQUEST_FIELDS = (
    "pk",
    "status",
    "reason",
    "decision_note",
    "decided_at",
    "withdrawn_because",
)


def leave_panel(user: Any, session: StudySession) -> LeavePanel:
    """Return the user's expected-attendee row, latest leave request and whether they may ask.

    One query: the latest request's fields ride along on the attendance row as subqueries,
    as the session page already runs several.
    """
    if not user.is_authenticated:
        return LeavePanel(attendance=None, request=None, may_ask=False)
    latest = LeaveRequest.objects.filter(
        session=OuterRef("session"), member=OuterRef("member")
    ).order_by("-created_at", "-pk")
    attendance = (
        Attendance.objects.filter(session=session, member__user=user)
        .select_related("makeup")
        .annotate(
            **{f"leave_{name}": Subquery(latest.values(name)[:1]) for name in _PANEL_REQUEST_FIELDS}
        )
        .first()
    )
    if attendance is None:
        return LeavePanel(attendance=None, request=None, may_ask=False)
    request = None
    if attendance.leave_pk is not None:
        request = LeaveRequest(
            session=session,
            member_id=attendance.member_id,
            **{name: getattr(attendance, f"leave_{name}") for name in _PANEL_REQUEST_FIELDS},
        )
    may_ask = (
        not session.is_cancelled
        and not session.has_started
        and not attendance.attended
        and (request is None or request.status not in LeaveRequest.OPEN)
    )
    return LeavePanel(attendance=attendance, request=request, may_ask=may_ask)
