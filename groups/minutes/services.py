"""会议记录: save a session's minutes and attachments; the printable record's read path.

Attachment files go through Django's storage API under a random name and are served only by
a view that checks permission, never from a public media URL; uploads.py checks them first.
"""

from __future__ import annotations

import posixpath
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Prefetch, Subquery

from groups.attendance.headcounts import Headcounts, session_headcounts
from groups.minutes.uploads import check_upload
from groups.models import Attendance, LeaveRequest, Minutes, MinutesAttachment, StudySession


def _minutes_for_update(session: StudySession, *, by: Any, **values: str) -> tuple[Minutes, bool]:
    """Return the session's minutes locked for writing and whether they were just created.

    Minutes created here get values at once, so their history starts with what was saved.
    """
    minutes = Minutes.objects.select_for_update().filter(session=session).first()
    if minutes is not None:
        return minutes, False
    minutes = Minutes(session=session, updated_by=by, **values)
    minutes._history_user = by  # the change's author outside a request too
    try:
        with transaction.atomic():
            minutes.save(force_insert=True)
            return minutes, True
    except IntegrityError:
        # Another manager created them a moment ago.
        return Minutes.objects.select_for_update().get(session=session), False


@transaction.atomic
def minutes_save(
    *,
    session: StudySession,
    by: Any,
    topics: str,
    key_points: str,
    resolutions: str,
    vote_results: str,
) -> Minutes:
    """Save a session's minutes; each change is kept in their history with its author."""
    values = {
        "topics": topics.strip(),
        "key_points": key_points.strip(),
        "resolutions": resolutions.strip(),
        "vote_results": vote_results.strip(),
    }
    minutes, created = _minutes_for_update(session, by=by, **values)
    if created or all(getattr(minutes, k) == v for k, v in values.items()):
        return minutes  # just written, or nothing changed: no history entry for an idle save
    for name, value in values.items():
        setattr(minutes, name, value)
    minutes.updated_by = by
    minutes._history_user = by  # the change's author outside a request too
    minutes.save()
    return minutes


@transaction.atomic
def attachment_add(*, session: StudySession, upload: UploadedFile, by: Any) -> MinutesAttachment:
    """Store a photo or PDF with the session's minutes; refuse other content or a large file."""
    content_type, name = check_upload(upload)
    minutes, _created = _minutes_for_update(session, by=by)
    attachment = MinutesAttachment(
        minutes=minutes,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    # A random stored name: the uploader's name never reaches the storage path.
    extension = posixpath.splitext(name)[1].lower()  # one check_upload allows for the type
    attachment.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: MinutesAttachment) -> None:
    """Delete an attachment; its file goes from storage once the deletion is committed."""
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Read paths ---------------------------------------------------------------------------


def minutes_with_attachments(session: StudySession) -> Minutes | None:
    """Return a session's minutes with their attachments (two queries), or None."""
    return (
        Minutes.objects.filter(session=session)
        .select_related("updated_by")
        .prefetch_related(
            Prefetch(
                "attachments", queryset=MinutesAttachment.objects.select_related("uploaded_by")
            )
        )
        .first()
    )


@dataclass
class Record:
    """The printable 会议记录 of a session: headcounts, who was missing and why, minutes."""

    session: StudySession
    minutes: Minutes | None
    counts: Headcounts
    missing: list[Attendance]


def session_record(session: StudySession) -> Record:
    """Return a session's record: 应到/实到 and the excused and absent with their reasons."""
    leave_reason = LeaveRequest.objects.filter(
        session=OuterRef("session"),
        member=OuterRef("member"),
        status=LeaveRequest.Status.APPROVED,
    ).values("reason")[:1]
    missing = list(
        Attendance.objects.filter(session=session, status__in=Attendance.MISSED)
        .annotate(leave_reason=Subquery(leave_reason))
        .select_related("member")
        .order_by("status", "member__name", "pk")
    )
    minutes = Minutes.objects.filter(session=session).first()
    return Record(
        session=session, minutes=minutes, counts=session_headcounts(session), missing=missing
    )
