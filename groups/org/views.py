"""Organisation pages: the branch tree, a branch, a member, roster import and export, and
invitations for members to activate their login."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups import permissions
from groups.exports.services import personal_data_export_record
from groups.exports.writers import csv_response, xlsx_response
from groups.models import Branch, BranchRole, Member, PersonalDataExport
from groups.org import invitations, services
from groups.org.forms import (
    ROSTER_MAX_UPLOAD_BYTES,
    MemberSearchForm,
    RosterExportForm,
    RosterUploadForm,
)
from groups.org.jobs import roster_import_job_start
from groups.org.roster import RawRoster, parse_roster, roster_members, roster_rows
from groups.org.selectors import branches_with_member_counts
from studyhub.accounts import invitation_token_generator
from studyhub.middleware import upload_limit

ROLE_ORDER = {role: index for index, role in enumerate(BranchRole.Role.values)}
# The invitation link made for a member without an email address, until the page shows it once.
INVITATION_LINK_KEY = "groups:invitation-link"


def _roster_stash_key(branch: Branch) -> str:
    # One pending upload per branch: it waits (base64) between preview and confirmation.
    return f"groups:roster-import:{branch.pk}"


def branch_list(request: HttpRequest) -> HttpResponse:
    """Show the tree of branches the user may see, with their member counts."""
    branches = branches_with_member_counts(
        list(permissions.visible_branches(request.user).select_related("kind"))
    )
    managed = set(permissions.managed_branches(request.user).values_list("pk", flat=True))
    top = min((b.depth for b in branches), default=1)
    for branch in branches:
        branch.indent = branch.depth - top
        branch.can_manage = branch.pk in managed
    return render(request, "groups/org/branch_list.html", {"branches": branches})


def branch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a branch: its committee, sub-branches and, to its managers, members by 党小组."""
    branch = permissions.get_branch_for_user(request.user, pk)
    can_manage = permissions.can_manage_branch(request.user, branch)
    ancestors = list(Branch.objects.filter(path__in=branch.ancestor_paths))
    roles = sorted(
        BranchRole.objects.active().filter(branch=branch).select_related("member"),
        key=lambda role: (ROLE_ORDER[role.role], role.member.name),
    )
    children = branches_with_member_counts(
        list(
            Branch.objects.filter(
                path__startswith=branch.path, depth=branch.depth + 1
            ).select_related("kind")
        )
    )
    roster = _branch_roster(request, branch) if can_manage else None
    return render(
        request,
        "groups/org/branch_detail.html",
        {
            "branch": branch,
            "ancestors": ancestors,
            "roles": roles,
            "children": children,
            "roster": roster,
            "can_manage": can_manage,
            # Shown once: the link is in no other place.
            "invitation_link": request.session.pop(INVITATION_LINK_KEY, None)
            if can_manage
            else None,
            "invitation_days": settings.STUDYHUB_INVITATION_DAYS,
        },
    )


# The branch page lists this many members a page, a 党委's thousands one click further each.
BRANCH_PAGE_MEMBERS = 100


@dataclass
class BranchRoster:
    """One page of a branch subtree's active members, grouped by their 党支部 or 党小组."""

    page: Page
    groups: list[tuple[Branch, int, list[Member]]]  # with the branch's active member count
    query: str  # the name searched for, as the start of the pager's query string
    search: str
    not_activated: int
    to_email: int


def _branch_roster(request: HttpRequest, branch: Branch) -> BranchRoster:
    """Return the page of the roster asked for (?q= a name, ?page=), in four queries."""
    form = MemberSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    members = invitations.with_account_state(
        permissions.with_personal_details_visible(
            request.user, Member.objects.active().in_subtree(branch)
        )
    )
    state = members.aggregate(
        not_activated=Count("pk", filter=Q(activated=False)),
        to_email=Count("pk", filter=Q(activated=False, login_email=True)),
    )
    counts = dict(
        Member.objects.active()
        .in_subtree(branch)
        .values_list("branch_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if search:
        members = members.filter(name__contains=search)
    ordered = members.select_related("category", "branch__kind").order_by(
        "branch__path", "sort_name", "pk"
    )
    page = Paginator(ordered, BRANCH_PAGE_MEMBERS).get_page(request.GET.get("page"))
    return BranchRoster(
        page=page,
        groups=[(b, counts[b.pk], list(ms)) for b, ms in groupby(page, key=lambda m: m.branch)],
        query=urlencode({"q": search}) + "&" if search else "",
        search=search,
        **state,
    )


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a member's record to themselves and to the managers of their branch."""
    member = permissions.get_member_for_user(request.user, pk)
    periods = member.periods.select_related("branch").order_by("-started_on", "-pk")
    roles = member.roles.select_related("branch").order_by("-started_on", "-pk")
    return render(
        request,
        "groups/org/member_detail.html",
        {
            "member": member,
            "periods": periods,
            "roles": roles,
            "personal_details_visible": permissions.may_see_personal_details(request.user, member),
        },
    )


def member_me(request: HttpRequest) -> HttpResponse:
    """Send the user to their own member record."""
    member = Member.objects.filter(user=request.user).only("pk").first()
    if member is None:
        raise Http404(_("You have no member record."))
    return redirect("groups:member-detail", pk=member.pk)


def roster_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download the branch subtree's active members as CSV or XLSX, in the import format."""
    branch = permissions.get_branch_for_user(request.user, pk, manage=True)
    form = RosterExportForm(request.GET)
    if not form.is_valid():
        raise Http404(_("Unknown export format."))
    file_format = form.cleaned_data["format"] or PersonalDataExport.Format.CSV
    # Phone numbers and birth dates leave the system here: on record before the file goes.
    personal_data_export_record(
        user=request.user,
        export=PersonalDataExport.Export.ROSTER,
        file_format=file_format,
        branch=branch,
        members=roster_members(branch),
    )
    filename = f"{branch.name}-花名册-{timezone.localdate():%Y%m%d}"
    rows = roster_rows(root=branch, viewer=request.user)
    if file_format == "xlsx":
        return xlsx_response(rows, filename=f"{filename}.xlsx", sheet_title=_("Roster"))
    return csv_response(rows, filename=f"{filename}.csv")


@upload_limit(lambda: ROSTER_MAX_UPLOAD_BYTES)
def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a roster file for the branch subtree and check it, for the preview."""
    branch = permissions.get_branch_for_user(request.user, pk, manage=True)
    form = RosterUploadForm()
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # Read once: the preview and the confirmation use what the file held.
            raw = parse_roster(upload.read(), filename=upload.name)
            request.session[_roster_stash_key(branch)] = {
                "name": upload.name,
                "roster": raw.to_stash(),
            }
            return redirect("groups:roster-import-preview", pk=branch.pk)
    return render(request, "groups/org/roster_import.html", {"branch": branch, "form": form})


def roster_import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Show every row of the uploaded roster with its errors; save all of it when confirmed."""
    branch = permissions.get_branch_for_user(request.user, pk, manage=True)
    key = _roster_stash_key(branch)
    stash = request.session.get(key)
    if stash is None or "roster" not in stash:  # none, or stashed by an older version
        messages.info(request, _("Upload a roster file first."))
        return redirect("groups:roster-import", pk=branch.pk)
    if request.method == "POST" and "cancel" in request.POST:
        del request.session[key]
        return redirect("groups:branch-detail", pk=branch.pk)
    if request.method == "POST" and "confirm" in request.POST:
        # Applied by a background job, which checks the rows again against the database then;
        # its page shows the counts and offers each row's result.
        job = roster_import_job_start(
            owner=request.user, branch=branch, filename=stash["name"], stash=stash["roster"]
        )
        del request.session[key]
        return redirect("jobs:job-detail", pk=job.pk)
    plan = services.roster_import(
        raw=RawRoster.from_stash(stash["roster"]), root=branch, dry_run=True
    )
    return render(
        request,
        "groups/org/roster_preview.html",
        {
            "branch": branch,
            "plan": plan,
            "rows": [(row, [row.cells.get(h, "") for h in plan.headers]) for row in plan.rows],
            "filename": stash["name"],
        },
    )


def branch_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Email an invitation to the branch subtree's members who have not activated their login."""
    branch = permissions.get_branch_for_user(request.user, pk, manage=True)
    if request.method == "POST":
        result = invitations.invitations_send(branch=branch, sent_by=request.user)
        if result.sent:
            messages.success(
                request,
                ngettext(
                    "Invitation sent to %(count)s member.",
                    "Invitations sent to %(count)s members.",
                    result.sent,
                )
                % {"count": result.sent},
            )
        elif not result.failed:
            messages.info(request, _("No member here is waiting for an invitation by email."))
        if result.failed:
            messages.error(
                request,
                ngettext(
                    "%(count)s invitation could not be sent; try again later.",
                    "%(count)s invitations could not be sent; try again later.",
                    result.failed,
                )
                % {"count": result.failed},
            )
        if result.remaining:
            messages.info(
                request,
                _("%(count)s more are waiting: send again to reach them.")
                % {"count": result.remaining},
            )
    return redirect("groups:branch-detail", pk=branch.pk)


def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite one member: by email, or with a link shown once on the branch page."""
    member = permissions.get_member_for_user(request.user, pk, manage=True)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = member.branch.get_absolute_url()
    if request.method != "POST":
        return redirect(back)
    try:
        invited = invitations.invitation_create(member=member, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if invited.emailed:
        messages.success(
            request,
            _("Invitation sent to %(name)s at %(email)s.")
            % {"name": member.name, "email": invited.invitation.email},
        )
    else:
        request.session[INVITATION_LINK_KEY] = {
            "name": member.name,
            "username": member.user.get_username(),
            "link": invited.link,
        }
    return redirect(back)


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """Let a member set their first password from an invitation link, then log them in.

    Django's reset confirmation (login not required): the token moves into the session and
    out of the address before the form shows, and a spent or expired link gets a page saying so.
    """

    token_generator = invitation_token_generator
    template_name = "groups/org/invitation_accept.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["days"] = settings.STUDYHUB_INVITATION_DAYS
        return context

    def form_valid(self, form):
        user = invitations.invitation_accept(
            user=self.user, password=form.cleaned_data["new_password1"]
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        auth_login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request, _("Welcome to StudyHub: your password is set and you are logged in.")
        )
        return redirect("home")


invitation_accept = InvitationAcceptView.as_view()
