"""Session pages: list, month calendar, schedule, series with preview, edit, cancel, iCalendar."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import conf
from groups.attendance.headcounts import session_headcounts
from groups.checkin.services import checkin_panel
from groups.dates import latest_day
from groups.leave.forms import LeaveRequestForm
from groups.leave.services import leave_panel
from groups.models import BranchExemption, CalendarToken, KindRule, PublicHoliday, SessionKind
from groups.models.sessions import Period
from groups.permissions import (
    can_manage_branch,
    get_session_for_user,
    is_organisation_department,
    managed_branches,
    require_manager,
    require_organisation_department,
    visible_sessions,
)
from groups.reading.selectors import reading_status
from groups.reports.compliance import compliance_report
from groups.sessions import holidays as holidays_service
from groups.sessions import ics
from groups.sessions import rules as rules_service
from groups.sessions import services as scheduling
from groups.sessions.forms import (
    CancelForm,
    ComplianceForm,
    ExemptionForm,
    HolidayForm,
    KindDefaultForm,
    KindRuleForm,
    SeriesForm,
    SessionEditForm,
    SessionFilterForm,
    SessionForm,
)
from groups.sessions.holidays import holiday_year, years_without_holidays
from groups.sessions.recurrence import RuleError, local_to_utc
from groups.sessions.selectors import (
    expected_members,
    filter_sessions,
    following_occurrences,
    month_grid,
    session_warnings,
)

ICS_TYPE = "text/calendar; charset=utf-8"


def _default_branch(request: HttpRequest) -> str | int | None:
    """Return the branch a new session or series starts with: ?branch=, else the top managed."""
    chosen = request.GET.get("branch")
    if chosen:
        return chosen
    return managed_branches(request.user).order_by("path").values_list("pk", flat=True).first()


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


def _form_error(form: SessionForm | SeriesForm, exc: RuleError | ValidationError) -> None:
    """Put a service's refusal on the form, so nothing is saved and the user sees why."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))


def session_list(request: HttpRequest) -> HttpResponse:
    """List the sessions the user may see, upcoming first, filtered by branch subtree and kind."""
    form = SessionFilterForm(request.GET or None, user=request.user)
    sessions = filter_sessions(visible_sessions(request.user), **form.filters())
    when = request.GET.get("when", "upcoming")
    today = local_to_utc(timezone.localdate(), time.min)
    if when == "past":
        sessions = sessions.filter(starts_at__lt=today).order_by("-starts_at", "-pk")
    else:
        when = "upcoming"
        sessions = sessions.filter(starts_at__gte=today)
    page = Paginator(sessions.for_display(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/sessions/session_list.html",
        {
            "form": form,
            "page": page,
            "when": when,
            "can_schedule": managed_branches(request.user).exists(),
        },
    )


def calendar_month(request: HttpRequest) -> HttpResponse:
    """Show a month grid of the sessions the user may see, with the list's filters."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        first = date(year, month, 1)
    except (ValueError, OverflowError) as exc:  # not a number, or one no date can hold
        raise Http404 from exc
    if not conf.EARLIEST_YEAR <= year <= latest_day(today).year:
        raise Http404
    form = SessionFilterForm(request.GET or None, user=request.user)
    sessions = filter_sessions(visible_sessions(request.user), **form.filters())
    previous = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    query = request.GET.copy()
    links = {}
    for name, day in (("previous", previous), ("next", following), ("today", today)):
        query["year"], query["month"] = str(day.year), str(day.month)
        links[name] = query.urlencode()
    weeks = month_grid(sessions, year=year, month=month)
    return render(
        request,
        "groups/sessions/calendar_month.html",
        {
            "form": form,
            "first": first,
            "weeks": weeks,
            # The phone's agenda: the month's days that have a session.
            "busy_days": [
                cell for week in weeks for cell in week if cell.in_month and cell.sessions
            ],
            "links": links,
            "can_schedule": managed_branches(request.user).exists(),
        },
    )


EXPECTED_NAMES_SHOWN = 60


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a session: when, where, who leads it, the reading, and who is expected."""
    user = request.user
    session = get_session_for_user(user, pk)
    can_manage = can_manage_branch(user, session.branch)
    expected = expected_members(session).select_related("branch")
    context = {
        "session": session,
        "can_manage": can_manage,
        # The first names only: a 党委-wide session expects thousands (the sign-in sheet
        # lists them all).
        "expected": list(expected[:EXPECTED_NAMES_SHOWN]) if can_manage else None,
        "checkin": checkin_panel(user, session, can_manage=can_manage),
        "headcounts": session_headcounts(session),
        "attendance_links": can_manage and not session.is_cancelled,
        "leave": leave_panel(user, session),
        "leave_form": LeaveRequestForm(),
        "reading": (
            reading_status(
                session, sort=request.GET.get("sort"), preview=True, sections=session.reading
            )
            if can_manage
            else None
        ),
    }
    return render(request, "groups/sessions/session_detail.html", context)


def session_create(request: HttpRequest) -> HttpResponse:
    """Schedule one session."""
    require_manager(request.user)
    initial = {"branch": _default_branch(request), "day": request.GET.get("day")}
    form = SessionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = scheduling.session_schedule(
                user=request.user, branch=data["branch"], **form.session_fields()
            )
        except (RuleError, ValidationError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The session is scheduled."))
            _warn(
                request,
                session_warnings(
                    branch=session.branch,
                    kind=session.kind,
                    spans=[(session.starts_at, session.ends_at)],
                    exclude=[session.pk],
                ),
            )
            return redirect(session)
    return render(request, "groups/sessions/session_form.html", {"form": form, "session": None})


def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit one session, or this one and the following ones of its series."""
    session = get_session_for_user(request.user, pk, manage=True)
    form = SessionEditForm(
        request.POST or None,
        user=request.user,
        session=session,
        initial=SessionEditForm.initial_from(session),
    )
    preview = None
    valid = request.method == "POST" and form.is_valid()
    if valid and form.applies_to_following and "confirm" not in request.POST:
        # Say which occurrences change and which keep their record before saving any.
        changing, kept = following_occurrences(session)
        preview = {
            "changing": changing,
            "kept": kept,
            "start_time": form.cleaned_data["start_time"],
            "end_time": form.cleaned_data["end_time"],
        }
    elif valid:
        fields = form.session_fields()
        try:
            changed = scheduling.session_edit(
                session=session,
                user=request.user,
                following=form.applies_to_following,
                start_time=form.cleaned_data["start_time"],
                **fields,
            )
        except (RuleError, ValidationError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            _warn(
                request,
                session_warnings(
                    branch=session.branch,
                    kind=fields["kind"],
                    spans=[(s.starts_at, s.ends_at) for s in changed if not s.is_cancelled],
                    exclude=[s.pk for s in changed],
                ),
            )
            return redirect(session)
    return render(
        request,
        "groups/sessions/session_form.html",
        {"form": form, "session": session, "preview": preview},
    )


def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one session (one occurrence of a series) with a reason."""
    session = get_session_for_user(request.user, pk, manage=True)
    form = CancelForm(request.POST or None, initial={"reason": session.cancel_reason})
    if request.method == "POST" and form.is_valid():
        scheduling.session_cancel(session=session, reason=form.cleaned_data["reason"])
        messages.success(request, _("The session is cancelled."))
        return redirect(session)
    return render(
        request, "groups/sessions/session_cancel.html", {"form": form, "session": session}
    )


def series_create(request: HttpRequest) -> HttpResponse:
    """Schedule a recurring series: "preview" lists its dates, "save" creates its sessions."""
    require_manager(request.user)
    form = SeriesForm(
        request.POST or None,
        user=request.user,
        initial={"branch": _default_branch(request)},
    )
    preview = warnings = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "save" in request.POST:
                series = scheduling.series_schedule(user=request.user, **form.series_fields())
                count = series.sessions.count()
                messages.success(
                    request,
                    _("The series is scheduled: %(count)d sessions.") % {"count": count},
                )
                _warn(
                    request,
                    session_warnings(
                        branch=series.branch,
                        kind=series.kind,
                        spans=[(s.starts_at, s.ends_at) for s in series.sessions.all()],
                        exclude=series.sessions.values_list("pk", flat=True),
                    ),
                )
                return redirect("groups:session-list")
            preview = scheduling.series_preview(**form.recurrence())
            warnings = session_warnings(
                branch=data["branch"],
                kind=data["kind"],
                spans=[(o.starts_at, o.ends_at) for o in preview if not o.is_holiday],
            )
            for year in years_without_holidays(o.day.year for o in preview):
                warnings.append(
                    _(
                        "No public holidays are known for %(year)s yet, so none of its dates "
                        "is skipped: the 组织部 can enter them on the holidays page."
                    )
                    % {"year": year}
                )
        except (RuleError, ValidationError) as exc:
            _form_error(form, exc)
    return render(
        request,
        "groups/sessions/series_form.html",
        {
            "form": form,
            "preview": preview,
            "preview_count": sum(1 for o in preview or () if not o.is_holiday),
            "warnings": warnings,
        },
    )


def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """Return one session as an .ics file."""
    session = get_session_for_user(request.user, pk)
    body = ics.build_calendar(
        [session],
        name=session.title,
        url_for=lambda s: request.build_absolute_uri(s.get_absolute_url()),
    )
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Return a user's personal feed; the secret token in the URL stands in for a login."""
    owner = get_object_or_404(CalendarToken.objects.select_related("user"), token=token).user
    if not owner.is_active:
        raise Http404
    since = timezone.now() - timedelta(days=90)
    sessions = visible_sessions(owner).filter(starts_at__gte=since).for_page().order_by("starts_at")
    body = ics.build_calendar(
        sessions,
        name=_("StudyHub sessions"),
        url_for=lambda s: request.build_absolute_uri(s.get_absolute_url()),
    )
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Cache-Control"] = "private, max-age=900"
    return response


def calendar_subscription(request: HttpRequest) -> HttpResponse:
    """Show the user's feed URL; POST "regenerate" makes a new one, "revoke" turns it off."""
    token = CalendarToken.objects.filter(user=request.user).first()
    if request.method == "POST":
        if "regenerate" in request.POST:
            scheduling.calendar_token_renew(user=request.user)
            messages.success(request, _("A new calendar link is ready; the old one stops working."))
        else:
            scheduling.calendar_token_revoke(user=request.user)
            messages.success(request, _("The calendar link is turned off."))
        return redirect("groups:calendar-subscription")
    feed_url = request.build_absolute_uri(token.get_absolute_url()) if token else ""
    return render(
        request,
        "groups/sessions/calendar_subscription.html",
        {"token": token, "feed_url": feed_url},
    )


def compliance(request: HttpRequest) -> HttpResponse:
    """Show required vs held sessions per branch and kind for a subtree and period."""
    require_manager(request.user)
    managed = managed_branches(request.user).order_by("path")
    data = request.GET.copy()
    data.setdefault("period", "month")
    data.setdefault("day", timezone.localdate().isoformat())
    if "branch" not in data:
        data["branch"] = str(managed.values_list("pk", flat=True).first())
    form = ComplianceForm(data, user=request.user)
    report = None
    if form.is_valid():
        report = compliance_report(
            root=form.cleaned_data["branch"],
            period=form.cleaned_data["period"],
            day=form.cleaned_data["day"],
        )
    elif "branch" in form.errors and request.GET.get("branch"):
        raise Http404  # a branch outside the user's scope
    return render(request, "groups/sessions/compliance.html", {"form": form, "report": report})


def holidays(request: HttpRequest) -> HttpResponse:
    """Show a year's public holidays, which series skip; the 组织部 adds and changes days."""
    require_manager(request.user)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError as exc:
        raise Http404 from exc
    if not conf.EARLIEST_YEAR <= year <= latest_day(today).year:
        raise Http404
    return render(
        request,
        "groups/sessions/holidays.html",
        {
            "year": year,
            "days": holiday_year(year),
            "fixed_by_setting": conf.public_holidays() is not None,
            "can_edit": is_organisation_department(request.user),
            "form": HolidayForm(initial={"day": date(year, 1, 1)}),
        },
    )


@require_POST
def holiday_save(request: HttpRequest) -> HttpResponse:
    """Add a day off, or make a national holiday a working day (the 组织部 only)."""
    require_organisation_department(request.user)
    form = HolidayForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("groups:holidays")
    row = holidays_service.holiday_save(**form.cleaned_data)
    messages.success(request, _("Saved %(holiday)s.") % {"holiday": row})
    return redirect(f"{reverse('groups:holidays')}?year={row.day.year}")


@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop the 组织部's change for a day (the 组织部 only)."""
    require_organisation_department(request.user)
    row = get_object_or_404(PublicHoliday, pk=pk)
    holidays_service.holiday_delete(row)
    messages.success(request, _("Removed %(holiday)s.") % {"holiday": row})
    return redirect(f"{reverse('groups:holidays')}?year={row.day.year}")


# --- The 三会一课 rules (the 组织部 edits, managers read) ---------------------------------


def rules(request: HttpRequest) -> HttpResponse:
    """Show the rules compliance is judged by: kind defaults, subtree rules, exemptions."""
    require_manager(request.user)
    return render(
        request,
        "groups/sessions/rules.html",
        {
            "overview": rules_service.rules_overview(),
            "periods": Period.choices,
            "can_edit": is_organisation_department(request.user),
            "rule_form": KindRuleForm(),
            "exemption_form": ExemptionForm(),
        },
    )


def _save_rule(request: HttpRequest, form: forms.Form, save: Any) -> HttpResponse:
    """Validate a rules-page form and run its save, or say why not; back to the page."""
    require_organisation_department(request.user)
    if form.is_valid():
        try:
            save(**form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The rules are saved."))
            return redirect("groups:rules")
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect("groups:rules")


@require_POST
def kind_default_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a kind's default rule (the 组织部 only)."""
    kind = get_object_or_404(SessionKind, pk=pk)
    return _save_rule(
        request,
        KindDefaultForm(request.POST),
        lambda **data: rules_service.kind_default_save(kind=kind, **data),
    )


@require_POST
def kind_rule_save(request: HttpRequest) -> HttpResponse:
    """Set the rule of a kind in a branch's subtree (the 组织部 only)."""
    return _save_rule(request, KindRuleForm(request.POST), rules_service.kind_rule_save)


@require_POST
def exemption_save(request: HttpRequest) -> HttpResponse:
    """Excuse a branch from a kind (the 组织部 only)."""
    return _save_rule(request, ExemptionForm(request.POST), rules_service.exemption_save)


def _delete_rule(request: HttpRequest, model: type[KindRule | BranchExemption], pk: int):
    require_organisation_department(request.user)
    get_object_or_404(model, pk=pk).delete()
    messages.success(request, _("The rules are saved."))
    return redirect("groups:rules")


@require_POST
def kind_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop a subtree rule: the kind's default applies there again (the 组织部 only)."""
    return _delete_rule(request, KindRule, pk)


@require_POST
def exemption_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop an exemption: the branch is held to the kind's rule again (the 组织部 only)."""
    return _delete_rule(request, BranchExemption, pk)
