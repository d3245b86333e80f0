"""Organisation pages: the branch tree, a branch, a member, roster import and export."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import permissions
from groups.exports.services import personal_data_export_record
from groups.exports.writers import csv_response, xlsx_response
from groups.models import Branch, BranchRole, Member, PersonalDataExport
from groups.org import services
from groups.org.forms import ROSTER_MAX_UPLOAD_BYTES, RosterExportForm, RosterUploadForm
from groups.org.roster import RawRoster, parse_roster, roster_members, roster_rows
from studyhub.middleware import upload_limit

ROLE_ORDER = {role: index for index, role in enumerate(BranchRole.Role.values)}


def _roster_stash_key(branch: Branch) -> str:
    # One pending upload per branch: it waits (base64) between preview and confirmation.
    return f"groups:roster-import:{branch.pk}"


def branch_list(request: HttpRequest) -> HttpResponse:
    """Show the tree of branches the user may see, with their member counts."""
    branches = list(
        permissions.visible_branches(request.user).select_related("kind").with_member_counts()
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
    children = list(
        Branch.objects.filter(path__startswith=branch.path, depth=branch.depth + 1)
        .select_related("kind")
        .with_member_counts()
    )
    member_groups: list[tuple[Branch, list[Member]]] = []
    if can_manage:
        members = permissions.with_personal_details_visible(
            request.user,
            Member.objects.active()
            .in_subtree(branch)
            .select_related("category", "branch__kind")
            .order_by("branch__path", "name", "pk"),
        )
        member_groups = [(b, list(ms)) for b, ms in groupby(members, key=lambda m: m.branch)]
    return render(
        request,
        "groups/org/branch_detail.html",
        {
            "branch": branch,
            "ancestors": ancestors,
            "roles": roles,
            "children": children,
            "member_groups": member_groups,
            "can_manage": can_manage,
        },
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
    confirm = request.method == "POST" and "confirm" in request.POST
    plan = services.roster_import(
        raw=RawRoster.from_stash(stash["roster"]), root=branch, dry_run=not confirm
    )
    if confirm and plan.is_valid:
        del request.session[key]
        counts = plan.counts
        messages.success(
            request,
            _("Roster imported: %(create)s added, %(update)s updated, %(unchanged)s unchanged.")
            % counts,
        )
        return redirect("groups:branch-detail", pk=branch.pk)
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
