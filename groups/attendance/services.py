"""Attendance services: the 应到 snapshot kept in step with rosters, and taking attendance.

A session's expected members are fixed when it is scheduled (one Attendance row each).
Later roster changes touch only sessions that have not started and rows nobody has marked:
a member who joins is added to future sessions, one who leaves is taken off them, and
past records stay as they were.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from groups.attendance.expected import members_to_expect
from groups.leave.makeup import makeup_sync
from groups.leave.withdrawals import has_pending_leave, leave_withdraw_pending
from groups.models import Attendance, LeaveRequest, Member, MemberCategory, StudySession
from groups.models.org import MemberQuerySet

_SNAPSHOT_FIELDS = ("pk", "branch_id", "category_id", "category__has_vote")
_BATCH = 2000
# The columns an INSERT of the snapshot fills from the session and the member (and the key).
_FROM_THE_SNAPSHOT = {"id", "session", "member", "member_branch", "category", "has_vote"}
# Up to this many members, a refresh asks the database for just them; beyond, for everyone.
_FEW = 500


def _not_started() -> models.QuerySet:
    """Return the sessions whose 应到 still follows the roster: scheduled and not begun."""
    return StudySession.objects.filter(
        starts_at__gt=timezone.now(), status=StudySession.Status.SCHEDULED
    ).prefetch_related("kind__expected_categories")


def _rule_groups(
    sessions: Iterable[StudySession], *, among: list[int] | None = None
) -> list[tuple[list[int], MemberQuerySet]]:
    """Group sessions by (branch, kind), which decides whom they expect, with that query.

    ``among`` limits the members looked at (a refresh of a few members of a big 党委).
    """
    groups: dict[tuple[int, int], tuple[list[int], MemberQuerySet]] = {}
    for session in sessions:
        key = (session.branch_id, session.kind_id)
        if key not in groups:
            members = members_to_expect(session)
            if among is not None:
                members = members.filter(pk__in=among)
            groups[key] = ([], members)
        groups[key][0].append(session.pk)
    return list(groups.values())


def _expected_by_rule(
    sessions: Iterable[StudySession], *, among: list[int] | None = None
) -> dict[int, list[tuple]]:
    """Return session id → the snapshot facts of each member its rule expects today."""
    by_session: dict[int, list[tuple]] = {}
    for session_ids, members in _rule_groups(sessions, among=among):
        facts = list(members.values_list(*_SNAPSHOT_FIELDS))
        by_session.update(dict.fromkeys(session_ids, facts))
    return by_session


def _insert_expected(sessions: Iterable[StudySession], *, among: list[int] | None = None) -> int:
    """Add the rows the rule expects and the sessions lack; return how many were added.

    One INSERT … SELECT per (branch, kind): a 党委's 5,000 members across a term of sessions
    are hundreds of thousands of rows, too many to build as model instances.
    """
    quote = connection.ops.quote_name
    table = quote(Attendance._meta.db_table)
    # Every other column takes its model default, so a field added later needs no change here.
    rest = [f for f in Attendance._meta.concrete_fields if f.name not in _FROM_THE_SNAPSHOT]
    now = timezone.now()
    rest_values = [
        f.get_db_prep_save(now if getattr(f, "auto_now", False) else f.get_default(), connection)
        for f in rest
    ]
    columns = ", ".join(quote(f.column) for f in rest)
    added = 0
    with connection.cursor() as cursor:
        for session_ids, members in _rule_groups(sessions, among=among):
            member_sql, member_params = members.values("pk").query.sql_with_params()
            for start in range(0, len(session_ids), _BATCH // 4):
                batch = session_ids[start : start + _BATCH // 4]
                cursor.execute(
                    f"INSERT INTO {table} (session_id, member_id, member_branch_id,"
                    f" category_id, has_vote, {columns})"
                    " SELECT s.id, m.id, m.branch_id, m.category_id, c.has_vote,"
                    f" {', '.join(['%s'] * len(rest))}"
                    f" FROM {quote(StudySession._meta.db_table)} s"
                    f" CROSS JOIN {quote(Member._meta.db_table)} m"
                    f" INNER JOIN {quote(MemberCategory._meta.db_table)} c"
                    " ON c.id = m.category_id"
                    f" WHERE s.id IN ({', '.join(['%s'] * len(batch))})"
                    f" AND m.id IN ({member_sql}) AND NOT EXISTS (SELECT 1 FROM {table} a"
                    " WHERE a.session_id = s.id AND a.member_id = m.id)",
                    [*rest_values, *batch, *member_params],
                )
                added += cursor.rowcount
    return added


@transaction.atomic
def attendance_snapshot(*, sessions: Iterable[StudySession]) -> int:
    """Create the expected-attendee rows of sessions; return how many were added."""
    return _insert_expected(sessions)


def attendance_snapshot_missing() -> int:
    """Snapshot the sessions that have no expected attendees recorded yet (for old data)."""
    sessions = StudySession.objects.filter(attendance__isnull=True).select_related("kind", "branch")
    return attendance_snapshot(
        sessions=sessions.distinct().prefetch_related("kind__expected_categories")
    )


def _apply(wanted: dict[tuple[int, int], tuple], rows: models.QuerySet) -> None:
    """Make ``rows`` (of sessions not yet begun) match ``wanted``: (session, member) → facts.

    Unmarked rows no longer wanted go; kept rows take the member's branch, category and vote
    as they are now (a 请假 approved in advance too). Set-based: one
    UPDATE per combination of facts, not one per row, so a 党委's roster takes seconds.
    """
    stale: list[int] = []
    changed: dict[tuple, list[int]] = defaultdict(list)
    for pk, session_id, member_id, status, *facts in rows.values_list(
        "pk", "session_id", "member_id", "status", "member_branch_id", "category_id", "has_vote"
    ).iterator(chunk_size=_BATCH):
        key = (session_id, member_id)
        if key not in wanted:
            if not status:
                stale.append(pk)
        elif wanted[key] != tuple(facts):
            changed[wanted[key]].append(pk)
    # A member no longer expected cannot have their pending leave decided: withdraw it.
    for session in StudySession.objects.filter(
        leave_requests__status=LeaveRequest.Status.PENDING, attendance__pk__in=stale
    ).distinct():
        leave_withdraw_pending(
            session=session,
            because=LeaveRequest.WithdrawnBecause.NOT_EXPECTED,
            member_ids=Attendance.objects.filter(session=session, pk__in=stale).values_list(
                "member_id", flat=True
            ),
        )
    for start in range(0, len(stale), _BATCH):
        # Unmarked snapshot rows have no history and nothing refers to them: no signals.
        Attendance.objects.filter(pk__in=stale[start : start + _BATCH])._raw_delete(
            Attendance.objects.db
        )
    for (branch_id, category_id, has_vote), pks in changed.items():
        for start in range(0, len(pks), _BATCH):
            Attendance.objects.filter(pk__in=pks[start : start + _BATCH]).update(
                member_branch_id=branch_id, category_id=category_id, has_vote=has_vote
            )


@transaction.atomic
def attendance_refresh(*, members: Iterable[Member]) -> None:
    """Bring the 应到 of sessions not yet begun in line with these members' roster entries.

    Every change to what the snapshot records (branch or 党小组, category, status, committee
    roles) ends here, whichever path made it: the web pages, a roster import, the admin,
    a command. Rows already taken and sessions already begun keep their record.
    """
    ids = sorted({member.pk for member in members})
    if not ids:
        return
    current = [
        member
        for start in range(0, len(ids), _BATCH)
        for member in Member.objects.filter(pk__in=ids[start : start + _BATCH]).select_related(
            "branch", "category"
        )
    ]
    active = {member.pk for member in current if member.is_active}
    lineage = {
        path
        for member in current
        if member.is_active
        for path in (*member.branch.ancestor_paths, member.branch.path)
    }
    sessions = list(
        _not_started().filter(branch__path__in=lineage).select_related("branch", "kind")
    )
    among = ids if len(ids) <= _FEW else None
    wanted = _wanted(sessions, among=among, members=active)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        in_chunk = set(chunk)
        _apply(
            {key: facts for key, facts in wanted.items() if key[1] in in_chunk},
            Attendance.objects.filter(member_id__in=chunk, session__in=_not_started()),
        )
    _insert_expected(sessions, among=among)


@transaction.atomic
def attendance_refresh_sessions(*, sessions: Iterable[StudySession]) -> None:
    """Re-take the 应到 of sessions not yet begun after their kind (so their rule) changed."""
    pks = [session.pk for session in sessions]
    upcoming = list(_not_started().filter(pk__in=pks).select_related("branch", "kind"))
    _apply(_wanted(upcoming), Attendance.objects.filter(session__in=upcoming))
    _insert_expected(upcoming)


def _wanted(
    sessions: list[StudySession], *, among: list[int] | None = None, members: set[int] | None = None
) -> dict[tuple[int, int], tuple]:
    """Return (session, member) → snapshot facts for every row the rule wants now."""
    return {
        (session_id, member_id): tuple(facts)
        for session_id, expected in _expected_by_rule(sessions, among=among).items()
        for member_id, *facts in expected
        if members is None or member_id in members
    }


# --- Taking attendance --------------------------------------------------------------------
# Every write locks the rows it changes (SELECT … FOR UPDATE) and saves them through
# simple-history, so two managers clicking the same member at once are applied one after
# the other and both changes appear in the row's history. The unique constraint on
# (session, member) guarantees there is only ever one row to lock.

_CHANGED_FIELDS = [
    "status",
    "note",
    "checked_in_at",
    "recorded_before_start",
    "updated_by",
    "updated_at",
]
NOTE_MAX_LENGTH = Attendance._meta.get_field("note").max_length
# Who came (or did not) is known only once the session starts; approved leave (excused) and
# self check-in inside its window are the ordinary exceptions and need no confirmation.
_KNOWN_AT_THE_START = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.ABSENT)
BEFORE_START_CODE = "before_start"


def _check_open(session: StudySession) -> None:
    if session.is_cancelled:
        raise ValidationError(_("The session is cancelled: its attendance cannot be taken."))


def _recorded_early(session: StudySession, status: str, *, confirmed: bool) -> bool:
    """Return whether this status is recorded before the start; refuse it unless confirmed."""
    if session.has_started or status not in _KNOWN_AT_THE_START:
        return False
    if not confirmed:
        raise ValidationError(
            _(
                "The session has not started yet (it starts at %(start)s). Confirm that you "
                "are taking attendance in advance: it will be recorded as taken before the start."
            )
            % {"start": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")},
            code=BEFORE_START_CODE,
        )
    return True


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
    before_start: bool = False,
) -> Attendance:
    """Set one member's status (and note) at a session, recording who changed it and when.

    Pass the row, or the session and member. ``status=None`` or ``note=None`` keeps the
    current value; ``checked_in_at`` is kept from the first check-in. A call that changes
    nothing writes nothing, so clicking twice adds no history. Raises
    ``Attendance.DoesNotExist`` for a member the session does not expect and
    ``ValidationError`` for an unknown status, a long note or a cancelled session, and
    for present, late or absent before the start unless ``before_start`` confirms it (a
    check-in, which has its own window, needs no confirmation).
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
    if status != row.status:
        row.recorded_before_start = checked_in_at is None and _recorded_early(
            row.session, status, confirmed=before_start
        )
    row.status, row.note, row.checked_in_at = status, note, first_check_in
    row.updated_by = by
    if by is not None:
        row._history_user = by  # outside a request the middleware cannot say who it was
    row.save(update_fields=_CHANGED_FIELDS)
    _after_change(row.session, [row])
    return row


def _after_change(session: StudySession, rows: list[Attendance]) -> None:
    """Keep 补学 tasks and leave requests in step with the statuses just written."""
    # The excused and absent get their 补学 task (untouched ones no longer due are dropped).
    makeup_sync(session=session)
    # A member marked present or late came after all: their pending leave cannot be approved.
    leave_withdraw_pending(
        session=session,
        because=LeaveRequest.WithdrawnBecause.ATTENDED,
        member_ids=[row.member_id for row in rows if row.attended],
    )


def _save_with_history(rows: list[Attendance], *, by: AbstractBaseUser | None) -> None:
    """Save changed rows in one UPDATE per batch plus one history INSERT, not one per row."""
    now = timezone.now()
    for row in rows:
        row.updated_by, row.updated_at = by, now
    bulk_update_with_history(
        rows, Attendance, _CHANGED_FIELDS, batch_size=500, default_user=by, default_date=now
    )


@transaction.atomic
def attendance_mark_all_present(
    *, session: StudySession, by: AbstractBaseUser | None, before_start: bool = False
) -> int:
    """Mark present everyone not yet taken (taken rows keep their status); return how many.

    Members waiting for a decision on their leave are left for the manager to decide.
    """
    _check_open(session)
    early = _recorded_early(session, Attendance.Status.PRESENT, confirmed=before_start)
    # Locking re-reads each row: one a member checked in meanwhile is no longer untaken.
    rows = list(
        _locked(Attendance.objects.filter(session=session, status="").exclude(has_pending_leave()))
    )
    now = timezone.now()
    for row in rows:
        row.status, row.updated_by, row.updated_at = Attendance.Status.PRESENT, by, now
        row.recorded_before_start = early
    # Every row gets the same values: one UPDATE, then their history in bulk.
    Attendance.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=Attendance.Status.PRESENT,
        recorded_before_start=early,
        updated_by=by,
        updated_at=now,
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
    before_start: bool = False,
) -> SheetResult:
    """Save the statuses and notes of a whole attendance form (member id → status, note).

    An empty status keeps the row's status. A row someone else changed after ``seen_at``
    (when the form was shown) keeps their change, so a stale form cannot undo it; its
    member is listed in ``conflicts``. Before the start, see ``attendance_record``.
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
        if status != row.status:
            row.recorded_before_start = _recorded_early(session, status, confirmed=before_start)
        row.status, row.note = status, note[:NOTE_MAX_LENGTH]
        changed.append(row)
    _save_with_history(changed, by=by)
    if changed:
        _after_change(session, changed)
    result.changed = len(changed)
    return result
