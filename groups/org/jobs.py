"""Confirming a roster import as a background job (studyhub/jobs): a 党委's 5,000 rows take
longer than a request may. The job gets what the preview parsed (the file is read once),
checks it again against the database as it is now, applies it all or nothing, and leaves a
CSV of what happened to each row."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from groups.exports.writers import CSV_CONTENT_TYPE, iter_csv
from groups.models import Branch
from groups.org import services
from groups.org.roster import RawRoster, RosterPlan, RosterRow
from groups.permissions import get_managed_branch_for_job
from studyhub.jobs.registry import JobError, JobResult, Progress
from studyhub.jobs.services import job_start
from studyhub.models import Job


def roster_import_job_start(*, owner: Any, branch: Branch, filename: str, stash: dict) -> Job:
    """Queue the import of a previewed roster into the branch's subtree."""
    title = _("Roster import: %(file)s → %(branch)s") % {"file": filename, "branch": branch.name}
    params = {"branch": branch.pk, "name": filename, "roster": stash}
    return job_start(owner=owner, kind="roster_import", params=params, title=title)


def roster_import_job(owner: Any, params: dict[str, Any], progress: Progress) -> JobResult:
    """Apply the roster a job holds, for an owner who still manages the branch."""
    branch = get_managed_branch_for_job(owner, params["branch"])
    raw = RawRoster.from_stash(params["roster"])
    total = len(raw.rows)
    progress(0, total)
    plan = services.roster_import(raw=raw, root=branch)
    if not plan.is_valid:
        # The organisation changed since the preview (a branch renamed, a member moved).
        lines = plan.messages()
        raise JobError(
            _("Nothing was imported: the roster no longer fits the organisation. %(errors)s")
            % {"errors": " ".join(lines[:10]) + (" …" if len(lines) > 10 else "")}
        )
    progress(total, total)
    summary = (
        _("Roster imported: %(create)s added, %(update)s updated, %(unchanged)s unchanged.")
        % plan.counts
    )
    name = _("roster import results - %(file)s.csv") % {"file": params["name"].rsplit(".", 1)[0]}
    return name, CSV_CONTENT_TYPE, "".join(iter_csv(_result_rows(plan))).encode(), summary


def _result_rows(plan: RosterPlan) -> Any:
    actions = {
        RosterRow.CREATE: pgettext("roster row", "added"),
        RosterRow.UPDATE: pgettext("roster row", "updated"),
        RosterRow.UNCHANGED: pgettext("roster row", "unchanged"),
    }
    yield [_("Row"), _("Name"), _("Branch"), _("Result")]
    for row in plan.rows:
        branch = row.branch.name if row.branch else ""
        yield [row.line, row.name, branch, actions.get(row.action, row.action)]
