"""Leave and make-up views: ask for leave, decide requests, submit and confirm 补学."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.leave import makeup
from groups.leave import services as leave
from groups.leave.forms import LeaveRejectForm, LeaveRequestForm, MakeUpForm
from groups.minutes.services import minutes_with_attachments
from groups.models import StudySession
from groups.permissions import (
    can_manage_branch,
    get_leave_request_for_manager,
    get_makeup_for_user,
    get_own_member,
    get_session_for_user,
    require_manager,
)

PER_PAGE = 50


def _attempt(request: HttpRequest, action: Callable[[], object], success: str) -> None:
    """Run a service; report its refusal, or success, as a message."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


# --- Leave --------------------------------------------------------------------------------


@require_POST
def leave_ask(request: HttpRequest, session_id: int) -> HttpResponse:
    """Ask for leave from a session, for the signed-in member only."""
    member = get_own_member(request.user)
    session = get_session_for_user(request.user, session_id)
    form = LeaveRequestForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: leave.leave_request(
                session=session, member=member, reason=form.cleaned_data["reason"]
            ),
            _("Your leave request was sent to the branch's managers."),
        )
    else:
        messages.error(request, " ".join(form.errors["reason"]))
    return redirect(session.get_absolute_url() + "#leave")


def leave_pending(request: HttpRequest) -> HttpResponse:
    """List the pending leave requests for the sessions the user manages (managers)."""
    require_manager(request.user)
    page = Paginator(leave.pending_leave_requests(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "groups/leave/leave_pending.html", {"page": page, "reject_form": LeaveRejectForm()}
    )


@require_POST
def leave_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a leave request: the member is excused and gets a make-up task."""
    leave_request = get_leave_request_for_manager(request.user, pk)
    _attempt(
        request,
        lambda: leave.leave_approve(request=leave_request, by=request.user),
        _("Approved %(member)s's leave.") % {"member": leave_request.member.name},
    )
    return redirect("groups:leave-pending")


@require_POST
def leave_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject a leave request with a note to the member."""
    leave_request = get_leave_request_for_manager(request.user, pk)
    form = LeaveRejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the request is rejected."))
        return redirect("groups:leave-pending")
    _attempt(
        request,
        lambda: leave.leave_reject(
            request=leave_request, by=request.user, note=form.cleaned_data["note"]
        ),
        _("Rejected %(member)s's leave.") % {"member": leave_request.member.name},
    )
    return redirect("groups:leave-pending")


# --- Make-up study ------------------------------------------------------------------------


def makeup_mine(request: HttpRequest) -> HttpResponse:
    """List the signed-in member's own make-up tasks, open ones first."""
    member = get_own_member(request.user)
    page = Paginator(makeup.member_makeups(member), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "groups/leave/makeup_list.html", {"page": page, "mine": True})


def makeup_review(request: HttpRequest) -> HttpResponse:
    """List the submitted make-up tasks of sessions the user manages, to confirm (managers)."""
    require_manager(request.user)
    page = Paginator(makeup.makeups_to_confirm(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "groups/leave/makeup_list.html", {"page": page, "mine": False})


def makeup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a make-up task: the reading and minutes to study, and the 学习心得 form."""
    task = get_makeup_for_user(request.user, pk, own=request.method == "POST")
    session = StudySession.objects.for_page().get(pk=task.attendance.session_id)
    is_own = task.attendance.member.user_id == request.user.pk
    form = MakeUpForm(request.POST or None, initial={"note": task.note})
    if request.method == "POST" and form.is_valid():
        try:
            makeup.makeup_submit(makeup=task, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your make-up study was submitted for confirmation."))
            return redirect("groups:makeup-detail", pk=task.pk)
    return render(
        request,
        "groups/leave/makeup_detail.html",
        {
            "task": task,
            "session": session,
            "minutes": minutes_with_attachments(session),
            "form": form if is_own and not task.is_done else None,
            "may_confirm": not is_own and can_manage_branch(request.user, session.branch),
        },
    )


@require_POST
def makeup_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a member's submitted make-up study (managers of the session's branch)."""
    task = get_makeup_for_user(request.user, pk, manage=True)
    _attempt(
        request,
        lambda: makeup.makeup_confirm(makeup=task, by=request.user),
        _("Confirmed %(member)s's make-up study.") % {"member": task.attendance.member.name},
    )
    return redirect("groups:makeup-review")
