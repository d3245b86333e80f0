"""Attendance services: the 应到 snapshot kept in step with rosters, and taking attendance.

A session's expected members are fixed when it is scheduled (one Attendance row each).
Later roster changes touch only sessions that have not started and rows nobody has marked:
a member who joins is added to future sessions, one who leaves is taken off them, and
past records stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from groups.leave.makeup import makeup_sync
from groups.models import Attendance, Branch, BranchRole, Member, StudySession
from groups.sessions.selectors import members_to_expect

_SNAPSHOT_FIELDS = ("pk", "branch_id", "category_id", "category__has_vote")


@transaction.atomic
def attendance_snapshot(*, sessions: Iterable[StudySession]) -> int:
    """Create the expected-attendee rows of sessions; return how many were added."""
    expected: dict[tuple[int, int], list[tuple]] = {}
    rows: list[Attendance] = []
    for session in sessions:
        # Sessions of one series share branch and kind, so one query serves them all.
        key = (session.branch_id, session.kind_id)
        if key not in expected:
            expected[key] = list(members_to_expect(session).values_list(*_SNAPSHOT_FIELDS))
        rows.extend(
            Attendance(
                session=session,
                member_id=member_id,
                member_branch_id=branch_id,
                category_id=category_id,
                has_vote=has_vote,
            )
            for member_id, branch_id, category_id, has_vote in expected[key]
        )
    created = Attendance.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(created)


def attendance_snapshot_missing() -> int:
    """Snapshot the sessions that have no expected attendees recorded yet (for old data)."""
    sessions = StudySession.objects.filter(attendance__isnull=True).select_related("kind", "branch")
    return attendance_snapshot(sessions=sessions.distinct())


@transaction.atomic
def attendance_refresh_member(*, member: Member) -> None:
    """Bring a member's future, unmarked expected-attendee rows in line with their roster."""
    future = StudySession.objects.filter(
        starts_at__gt=timezone.now(), status=StudySession.Status.SCHEDULED
    )
    wanted: set[int] = set()
    if member.is_active:
        branch = member.branch
        lineage = Branch.objects.filter(path__in=[*branch.ancestor_paths, branch.path])
        committees = set(
            BranchRole.objects.active()
            .filter(member=member, role__in=BranchRole.COMMITTEE_ROLES)
            .values_list("branch_id", flat=True)
        )
        wanted = {
            pk
            for pk, branch_id, committee_only in future.filter(branch__in=lineage).values_list(
                "pk", "branch_id", "kind__committee_only"
            )
            if not committee_only or branch_id in committees
        }
    rows = Attendance.objects.filter(member=member, session__in=future)
    rows.filter(status="").exclude(session_id__in=wanted).delete()
    rows.filter(status="").update(
        member_branch=member.branch_id,
        category=member.category_id,
        has_vote=member.category.has_vote,
    )
    have = set(rows.values_list("session_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(
            session_id=session_id,
            member=member,
            member_branch_id=member.branch_id,
            category_id=member.category_id,
            has_vote=member.category.has_vote,
        )
        for session_id in wanted - have
    )


# --- Taking attendance --------------------------------------------------------------------
# Every write locks the rows it changes (SELECT … FOR UPDATE) and saves them through
# simple-history, so two managers clicking the same member at once are applied one after
# the other and both changes appear in the row's history. The unique constraint on
# (session, member) guarantees there is only ever one row to lock.

_CHANGED_FIELDS = ["status", "note", "checked_in_at", "updated_by", "updated_at"]
NOTE_MAX_LENGTH = Attendance._meta.get_field("note").max_length


def _check_open(session: StudySession) -> None:
    if session.is_cancelled:
        raise ValidationError(_("The session is cancelled: its attendance cannot be taken."))


def _check_status(status: str, current: str) -> None:
    # Keeping an untaken row untaken is allowed (a note alone); clearing a taken one is not.
    if status not in Attendance.Status.values and status != current:
        raise ValidationError(_("Choose present, late, excused or absent."))


def _locked(rows: models.QuerySet) -> models.QuerySet:
    """Lock the attendance rows themselves (not the joined session) until the commit."""
    return rows.select_for_update(of=("self",))


@transaction.atomic
def attendance_record(
    *,
    status: str | None,
    by: AbstractBaseUser | None,
    attendance: Attendance | None = None,
    session: StudySession | None = None,
    member: Member | None = None,
    note: str | None = None,
    checked_in_at: datetime | None = None,
) -> Attendance:
    """Set one member's status (and note) at a session, recording who changed it and when.

    Pass the row, or the session and member. ``status=None`` or ``note=None`` keeps the
    current value; ``checked_in_at`` is kept from the first check-in. A call that changes
    nothing writes nothing, so clicking twice adds no history. Raises
    ``Attendance.DoesNotExist`` for a member the session does not expect and
    ``ValidationError`` for an unknown status, a long note or a cancelled session.
    """
    if attendance is not None:
        lookup: dict[str, object] = {"pk": attendance.pk}
    elif session is not None and member is not None:
        lookup = {"session": session, "member": member}
    else:
        raise TypeError("Pass attendance, or session and member.")
    row = _locked(Attendance.objects.select_related("session")).get(**lookup)
    _check_open(row.session)
    status = row.status if status is None else status
    _check_status(status, row.status)
    note = row.note if note is None else note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Keep the note under %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH}
        )
    first_check_in = row.checked_in_at or checked_in_at
    if (status, note, first_check_in) == (row.status, row.note, row.checked_in_at):
        return row
    row.status, row.note, row.checked_in_at = status, note, first_check_in
    row.updated_by = by
    if by is not None:
        row._history_user = by  # outside a request the middleware cannot say who it was
    row.save(update_fields=_CHANGED_FIELDS)
    _sync_makeup(row.session)
    return row


def _sync_makeup(session: StudySession) -> None:
    """Give the excused and absent their 补学 task (and drop untouched ones no longer due)."""
    makeup_sync(session=session)


def _save_with_history(rows: list[Attendance], *, by: AbstractBaseUser | None) -> None:
    """Save changed rows in one UPDATE per batch plus one history INSERT, not one per row."""
    now = timezone.now()
    for row in rows:
        row.updated_by, row.updated_at = by, now
    bulk_update_with_history(
        rows, Attendance, _CHANGED_FIELDS, batch_size=500, default_user=by, default_date=now
    )


@transaction.atomic
def attendance_mark_all_present(*, session: StudySession, by: AbstractBaseUser | None) -> int:
    """Mark present everyone not yet taken (taken rows keep their status); return how many."""
    _check_open(session)
    # Locking re-reads each row: one a member checked in meanwhile is no longer untaken.
    rows = list(_locked(Attendance.objects.filter(session=session, status="")))
    now = timezone.now()
    for row in rows:
        row.status, row.updated_by, row.updated_at = Attendance.Status.PRESENT, by, now
    # Every row gets the same values: one UPDATE, then their history in bulk.
    Attendance.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=Attendance.Status.PRESENT, updated_by=by, updated_at=now
    )
    Attendance.history.bulk_history_create(rows, update=True, default_user=by, default_date=now)
    return len(rows)  # only untaken rows become present: no 补学 task to add or drop


@dataclass
class SheetResult:
    """What saving the whole attendance form did: rows changed, rows left for a conflict."""

    changed: int = 0
    conflicts: list[str] = field(default_factory=list)


@transaction.atomic
def attendance_save_sheet(
    *,
    session: StudySession,
    entries: Mapping[int, tuple[str, str]],
    by: AbstractBaseUser | None,
    seen_at: datetime | None = None,
) -> SheetResult:
    """Save the statuses and notes of a whole attendance form (member id → status, note).

    An empty status keeps the row's status. A row someone else changed after ``seen_at``
    (when the form was shown) keeps their change, so a stale form cannot undo it; its
    member is listed in ``conflicts``.
    """
    _check_open(session)
    result = SheetResult()
    changed: list[Attendance] = []
    rows = _locked(Attendance.objects.filter(session=session, member_id__in=list(entries)))
    for row in rows.select_related("member").order_by("member__name", "pk"):
        status, note = entries[row.member_id]
        status, note = status or row.status, note.strip()
        _check_status(status, row.status)
        if (status, note) == (row.status, row.note):
            continue
        if seen_at is not None and row.updated_at > seen_at:
            result.conflicts.append(row.member.name)
            continue
        row.status, row.note = status, note[:NOTE_MAX_LENGTH]
        changed.append(row)
    _save_with_history(changed, by=by)
    if changed:
        _sync_makeup(session)
    result.changed = len(changed)
    return result
