"""Resolve pending leave requests that can no longer be decided, and tell the member.

A request stays pending until a manager decides it; when the member is marked present or
late, the session is cancelled or the member is no longer expected, no decision can be
taken any more (approval refuses), so the request is withdrawn with the reason and the
member is emailed. The attendance and session services call this; it imports neither.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from groups.models import LeaveRequest, StudySession
from groups.reading.reminders import render_email, site_url

logger = logging.getLogger(__name__)

Because = LeaveRequest.WithdrawnBecause


def leave_withdraw_pending(
    *, session: StudySession, because: str, member_ids: Iterable[int] | None = None
) -> int:
    """Withdraw the session's pending requests (of these members, or all); return how many."""
    pending = LeaveRequest.objects.filter(session=session, status=LeaveRequest.Status.PENDING)
    if member_ids is not None:
        pending = pending.filter(member_id__in=list(member_ids))
    withdrawn = list(pending.select_related("member__user"))
    if not withdrawn:
        return 0
    LeaveRequest.objects.filter(pk__in=[r.pk for r in withdrawn]).update(
        status=LeaveRequest.Status.WITHDRAWN, withdrawn_because=because, decided_at=timezone.now()
    )
    for request in withdrawn:
        request.withdrawn_because = because
        # Mail only once the change is committed: a rolled-back withdrawal tells nobody.
        transaction.on_commit(lambda request=request: _tell_member(request, session))
    return len(withdrawn)


def _tell_member(request: LeaveRequest, session: StudySession) -> None:
    user = request.member.user
    if user is None or not user.email or not user.is_active:
        return
    subject, body = render_email(
        "leave_withdrawn",
        {
            "member": request.member,
            "session": session,
            "because": request.get_withdrawn_because_display(),
            "url": site_url() + session.get_absolute_url(),
        },
    )
    try:
        EmailMessage(subject, body, to=[user.email]).send()
    except Exception:  # a mail server down must not undo the attendance that was taken
        logger.exception("Could not tell %s their leave request was withdrawn", user.email)


def has_pending_leave() -> Exists:
    """Return a filter on attendance rows: the member has a pending request for the session."""
    return Exists(
        LeaveRequest.objects.filter(
            session=OuterRef("session"),
            member=OuterRef("member"),
            status=LeaveRequest.Status.PENDING,
        )
    )
