"""补学: the make-up study task of every member who was excused or absent; its read paths.

A task is created for each excused (请假) or absent (缺席) attendance row: when leave is
approved (``groups.leave.services.leave_approve``) and when attendance is taken (``makeup_sync``).
The member reads the session's assigned sections and minutes, writes a short 学习心得 and
submits it; a manager of the session's branch confirms it, and reports count it as done.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Attendance, MakeUpStudy, Member, StudySession
from groups.permissions import managed_makeups

NOTE_MAX_LENGTH = 2000

# What a task row on a list shows, in the one query that fetches the rows.
_LIST_RELATED = (
    "attendance__session__kind",
    "attendance__session__branch",
    "attendance__member__branch",
)


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def makeup_ensure(*, attendance: Attendance) -> MakeUpStudy | None:
    """Return the make-up task of an excused or absent row, creating it; None for others."""
    if attendance.status not in Attendance.MISSED:
        return None
    makeup, _created = MakeUpStudy.objects.get_or_create(attendance=attendance)
    return makeup


@transaction.atomic
def makeup_sync(*, session: StudySession) -> int:
    """Give every excused or absent member of a session a make-up task; return how many new.

    A task nobody has started is dropped when its row is no longer excused or absent (the
    member was marked present after all); a submitted one is kept as written.
    """
    MakeUpStudy.objects.filter(
        attendance__session=session, submitted_at__isnull=True, note=""
    ).exclude(attendance__status__in=Attendance.MISSED).delete()
    missing = Attendance.objects.filter(
        session=session, status__in=Attendance.MISSED, makeup__isnull=True
    ).values_list("pk", flat=True)
    created = MakeUpStudy.objects.bulk_create(
        [MakeUpStudy(attendance_id=pk) for pk in missing], ignore_conflicts=True
    )
    return len(created)


def _open_for_update(makeup: MakeUpStudy) -> MakeUpStudy:
    """Lock a task (with its session and member) and check that it is not confirmed yet."""
    makeup = (
        MakeUpStudy.objects.select_for_update(of=("self",))
        .select_related("attendance__session", "attendance__member")
        .get(pk=makeup.pk)
    )
    if makeup.is_done:
        raise ValidationError(_("This make-up study is already confirmed."))
    return makeup


@transaction.atomic
def makeup_submit(*, makeup: MakeUpStudy, note: str) -> MakeUpStudy:
    """Submit (or resubmit, until confirmed) the member's 学习心得 for their make-up study."""
    makeup = _open_for_update(makeup)
    note = note.strip()
    if makeup.attendance.session.ends_at > timezone.now():
        raise ValidationError(_("The session has not taken place yet: study it afterwards."))
    if not note:
        raise ValidationError(_("Write what you learnt before submitting."))
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(_("Keep it within %(max)d characters.") % {"max": NOTE_MAX_LENGTH})
    makeup.note = note
    makeup.submitted_at = timezone.now()
    makeup.save(update_fields=["note", "submitted_at"])
    return makeup


@transaction.atomic
def makeup_confirm(*, makeup: MakeUpStudy, by: Any) -> MakeUpStudy:
    """Confirm a submitted make-up study; reports count it as done from then on."""
    makeup = _open_for_update(makeup)
    if makeup.submitted_at is None:
        raise ValidationError(_("The member has not submitted this make-up study yet."))
    if makeup.attendance.member.user_id is not None and makeup.attendance.member.user_id == by.pk:
        raise ValidationError(_("Someone else must confirm your own make-up study."))
    makeup.confirmed_by = by
    makeup.confirmed_at = timezone.now()
    makeup.save(update_fields=["confirmed_by", "confirmed_at"])
    return makeup


# --- Read paths ---------------------------------------------------------------------------


def member_makeups(member: Member) -> QuerySet[MakeUpStudy]:
    """Return a member's make-up tasks, open ones first, then newest session first."""
    return (
        MakeUpStudy.objects.filter(attendance__member=member)
        .select_related(*_LIST_RELATED)
        .order_by(F("confirmed_at").asc(nulls_first=True), "-attendance__session__starts_at", "pk")
    )


def makeups_to_confirm(user: Any) -> QuerySet[MakeUpStudy]:
    """Return the submitted, unconfirmed tasks the user confirms (of their sessions or their
    members), oldest first."""
    return (
        managed_makeups(user)
        .filter(
            submitted_at__isnull=False,
            confirmed_at__isnull=True,
        )
        .select_related(*_LIST_RELATED)
        .order_by("submitted_at", "pk")
    )
