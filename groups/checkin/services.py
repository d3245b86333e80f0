"""Self check-in: the check-in window, wrong-code limits, checking in, the display.

The QR tokens and short codes themselves are made and checked in codes.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from groups import conf
from groups.attendance.headcounts import Headcounts, session_headcounts
from groups.attendance.services import attendance_record
from groups.checkin.codes import (
    CheckinError,
    check_token,
    checkin_code,
    checkin_token,
    match_code,
    normalise_code,
)
from groups.models import Attendance, StudySession


@dataclass(frozen=True)
class CheckinResult:
    attendance: Attendance
    already: bool
    message: str


@dataclass(frozen=True)
class CheckinDisplay:
    session: StudySession
    is_open: bool
    not_yet: bool
    opens_at: datetime
    closes_at: datetime
    token: str
    code: str
    counts: Headcounts


# --- Wrong codes: counted per user and session in the cache ----------------------------------


def _attempts_key(user_pk: int, scope: int | str) -> str:
    return f"studyhub:checkin:wrong:{user_pk}:{scope}"


def _refuse_if_locked(user_pk: int, scope: int | str) -> None:
    if cache.get(_attempts_key(user_pk, scope), 0) >= conf.CHECKIN_MAX_WRONG_CODES:
        raise CheckinError(
            _("Too many wrong codes. Wait %(minutes)s minutes and try again.")
            % {"minutes": conf.CHECKIN_WRONG_CODES_MINUTES},
            code="locked",
        )


def _count_wrong_code(user_pk: int, scope: int | str) -> None:
    key = _attempts_key(user_pk, scope)
    # add() starts the period only on the first wrong code; incr() keeps its expiry.
    cache.add(key, 0, timeout=conf.CHECKIN_WRONG_CODES_MINUTES * 60)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=conf.CHECKIN_WRONG_CODES_MINUTES * 60)


def _wrong_code() -> CheckinError:
    return CheckinError(
        _("That code is not right. Check the code on the screen and type it again."),
        code="wrong",
    )


def _expired_code() -> CheckinError:
    return CheckinError(
        _("That code has expired. Type the code shown on the screen now."), code="expired"
    )


# --- The window ---------------------------------------------------------------------------


def checkin_window(session: StudySession) -> tuple[datetime, datetime]:
    """Return when check-in to a session opens and closes."""
    return (
        session.starts_at - timedelta(minutes=conf.CHECKIN_OPENS_BEFORE_MINUTES),
        session.ends_at + timedelta(minutes=conf.CHECKIN_CLOSES_AFTER_MINUTES),
    )


def checkin_is_open(session: StudySession, *, now: datetime | None = None) -> bool:
    """Return whether members may check in to the session now."""
    now = now or timezone.now()
    opens_at, closes_at = checkin_window(session)
    return not session.is_cancelled and opens_at <= now <= closes_at


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _refuse_if_not_open(session: StudySession, now: datetime) -> None:
    if session.is_cancelled:
        raise CheckinError(
            _("This session is cancelled: there is nothing to check in to."), code="cancelled"
        )
    opens_at, closes_at = checkin_window(session)
    if now < opens_at:
        raise CheckinError(
            _("Check-in for this session opens at %(when)s.") % {"when": _when(opens_at)},
            code="not_open",
        )
    if now > closes_at:
        raise CheckinError(
            _("Check-in for this session closed at %(when)s.") % {"when": _when(closes_at)},
            code="closed",
        )


def open_sessions_for(user: Any, *, now: datetime | None = None) -> list[StudySession]:
    """Return the sessions the user is expected at whose check-in is open now."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    before = timedelta(minutes=conf.CHECKIN_OPENS_BEFORE_MINUTES)
    after = timedelta(minutes=conf.CHECKIN_CLOSES_AFTER_MINUTES)
    return list(
        StudySession.objects.not_cancelled()
        .filter(
            attendance__member__user=user,
            starts_at__lte=now + before,
            ends_at__gte=now - after,
        )
        .for_display()
        .order_by("starts_at", "pk")
    )


def checkins_due(user: Any, *, now: datetime | None = None) -> list[StudySession]:
    """Return the open sessions the user has still to check in to (not excused), one query."""
    now = now or timezone.now()
    before = timedelta(minutes=conf.CHECKIN_OPENS_BEFORE_MINUTES)
    after = timedelta(minutes=conf.CHECKIN_CLOSES_AFTER_MINUTES)
    # From the user's own rows: a window on start and end that no index serves would read
    # every session ever held to find the few open now.
    due = (
        Attendance.objects.filter(member__user=user, checked_in_at__isnull=True)
        .exclude(status=Attendance.Status.EXCUSED)
        .values("session_id")
    )
    return list(
        StudySession.objects.not_cancelled()
        .filter(pk__in=due, starts_at__lte=now + before, ends_at__gte=now - after)
        .for_display()
        .order_by("starts_at", "pk")
    )


# --- Checking in --------------------------------------------------------------------------


def _verified_row(
    *, session: StudySession, user: Any, token: str, code: str, now: datetime, lock: bool
) -> Attendance:
    """Return the user's attendance row at the session once every check passes, or refuse.

    With neither token nor code only the session, the window and the member are checked
    (for showing a refusal before the member presses the button). A member already
    counted as attending gets their row back without a check of the proof.
    """
    if code:
        _refuse_if_locked(user.pk, session.pk)
    _refuse_if_not_open(session, now)
    rows = Attendance.objects.filter(session=session, member__user=user)
    if lock:
        # A manager marking the member at the same moment waits for this row, then sees
        # the check-in; of=self leaves the member's own row unlocked. attendance_record
        # takes the same lock again in this transaction, which costs nothing.
        rows = rows.select_for_update(of=("self",))
    row = rows.first()
    if row is None:
        raise CheckinError(
            _(
                "You are not on the list of members expected at this session, so you cannot "
                "check in to it. Ask the branch's secretary if this is wrong."
            ),
            code="not_expected",
        )
    row.session = session  # spare the caller a query for what it already has
    if row.status == Attendance.Status.EXCUSED:
        raise CheckinError(
            _(
                "You are on approved leave (excused) from this session, so checking in does "
                "not change your status. Ask the branch's secretary if you attended after all."
            ),
            code="excused",
        )
    if _already(row):
        return row  # checking in twice is harmless, whatever the second code says
    if token:
        check_token(session=session, token=token, now=now)
    elif code:
        match = match_code(session.pk, normalise_code(code), now)
        if match == "expired":
            raise _expired_code()
        if match != "ok":
            raise _wrong_code()  # counted by checkin_record, outside its transaction
    return row


def _already(row: Attendance) -> str:
    """Return how the member already counts as attending, or "" if they do not yet."""
    if row.checked_in_at is not None:
        return _("You already checked in at %(when)s.") % {"when": _when(row.checked_in_at)}
    if row.status in Attendance.ATTENDED:
        return _("You are already marked %(status)s at this session.") % {
            "status": row.get_status_display()
        }
    return ""


def checkin_check(
    *, session: StudySession, user: Any, token: str = "", now: datetime | None = None
) -> str:
    """Return why the user already counts as attending, "" if they may check in; or refuse.

    Reads only: the page shows this before the member presses the check-in button.
    """
    row = _verified_row(
        session=session, user=user, token=token, code="", now=now or timezone.now(), lock=False
    )
    return _already(row)


def checkin_record(
    *,
    session: StudySession,
    user: Any,
    token: str = "",
    code: str = "",
    now: datetime | None = None,
) -> CheckinResult:
    """Check the user in to the session with a QR token or a short code, or refuse why.

    Marks present, or late after start + grace; keeps the first check-in; never touches
    an excused (approved leave) status. Raises CheckinError with nothing saved.
    """
    try:
        return _checkin_record(session=session, user=user, token=token, code=code, now=now)
    except CheckinError as refusal:
        if refusal.code == "wrong":
            # After the rollback: the count lives in the cache, which may be a database table.
            _count_wrong_code(user.pk, session.pk)
        raise


@transaction.atomic
def _checkin_record(
    *, session: StudySession, user: Any, token: str, code: str, now: datetime | None
) -> CheckinResult:
    if not token and not code:
        raise CheckinError(_("Scan the QR code or type the code shown."), code="missing")
    now = now or timezone.now()
    row = _verified_row(session=session, user=user, token=token, code=code, now=now, lock=True)
    already = _already(row)
    if already:
        return CheckinResult(attendance=row, already=True, message=already)
    late_after = session.starts_at + timedelta(minutes=conf.CHECKIN_LATE_GRACE_MINUTES)
    status = Attendance.Status.PRESENT if now <= late_after else Attendance.Status.LATE
    # The one write path for attendance: it records who and when in the row's history.
    row = attendance_record(attendance=row, status=status, by=user, checked_in_at=now)
    if row.status == Attendance.Status.LATE:
        message = _("Checked in at %(when)s: marked late.") % {"when": _when(now)}
    else:
        message = _("Checked in at %(when)s: marked present.") % {"when": _when(now)}
    return CheckinResult(attendance=row, already=False, message=message)


def checkin_with_code(*, user: Any, code: str, now: datetime | None = None) -> CheckinResult:
    """Check in with a short code to whichever open session of the user's it belongs to."""
    now = now or timezone.now()
    _refuse_if_locked(user.pk, "any")
    sessions = open_sessions_for(user, now=now)
    if not sessions:
        raise CheckinError(
            _("None of your sessions is open for check-in right now."), code="none_open"
        )
    code = normalise_code(code)
    matches = {s.pk: match_code(s.pk, code, now) for s in sessions}
    for session in sessions:
        if matches[session.pk] == "ok":
            return checkin_record(session=session, user=user, code=code, now=now)
    if "expired" in matches.values():
        raise _expired_code()
    _count_wrong_code(user.pk, "any")
    raise _wrong_code()


# --- The display --------------------------------------------------------------------------


@dataclass
class CheckinPanel:
    """What the session page says about check-in to the signed-in user while it is open."""

    session_pk: int
    can_manage: bool
    expected: bool
    checked_in_at: datetime | None
    excused: bool


def checkin_panel(user: Any, session: StudySession, *, can_manage: bool) -> CheckinPanel | None:
    """Return the check-in panel while check-in is open, else None (one query while open)."""
    if not checkin_is_open(session):
        return None
    row = (
        Attendance.objects.filter(session=session, member__user=user)
        .values("status", "checked_in_at")
        .first()
    )
    return CheckinPanel(
        session_pk=session.pk,
        can_manage=can_manage,
        expected=row is not None,
        checked_in_at=row and row["checked_in_at"],
        excused=bool(row) and row["status"] == Attendance.Status.EXCUSED,
    )


def checkin_display(session: StudySession, *, now: datetime | None = None) -> CheckinDisplay:
    """Return what the check-in display shows: token, code and headcount, in one query."""
    now = now or timezone.now()
    opens_at, closes_at = checkin_window(session)
    is_open = checkin_is_open(session, now=now)
    return CheckinDisplay(
        session=session,
        is_open=is_open,
        not_yet=now < opens_at,
        opens_at=opens_at,
        closes_at=closes_at,
        token=checkin_token(session_pk=session.pk, now=now) if is_open else "",
        code=checkin_code(session_pk=session.pk, now=now) if is_open else "",
        counts=session_headcounts(session),
    )
