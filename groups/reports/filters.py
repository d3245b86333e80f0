"""What every report shares: the filters (branch subtree, period, kinds, categories), the rows
in scope and the group labels; each report has its own module beside this one.

Every function takes a ``ReportFilters`` (built by ``groups.reports.forms.ReportFilterForm``)
and returns plain rows — dataclasses whose fields are fixed and documented below — that the
report pages and the CSV/XLSX exporters share. Each report runs a constant number of
queries whatever the size of the organisation.

Definitions used throughout:
- Only sessions that have happened count (started before ``now``); cancelled sessions never
  count. A session's 应到 is its Attendance snapshot, never today's roster.
- *attended* (实到) = present + late; *rate* = attended / expected, ``None`` when nothing
  was expected. *not recorded*: expected, but no status taken yet.
- Members are grouped by ``Attendance.member_branch`` (their 党小组 at the time), so a
  member who transferred keeps their old records under their old group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from groups.models import (
    Attendance,
    Branch,
    Member,
    MemberCategory,
    SessionKind,
    StudySession,
)
from groups.models.sessions import local_midnight

Status = Attendance.Status

# One character per kind so a month cell stays narrow ("学✓✓ 日✗补").
KIND_ABBREVIATIONS = {
    SessionKind.GENERAL_MEETING: "大",
    SessionKind.COMMITTEE_MEETING: "委",
    SessionKind.GROUP_MEETING: "组",
    SessionKind.LECTURE: "课",
    SessionKind.THEMED_DAY: "日",
    SessionKind.STUDY: "学",
    SessionKind.ORGANISATIONAL_LIFE: "生",
    SessionKind.TRAINING: "训",
}


def kind_abbreviation(kind: SessionKind) -> str:
    """Return the one-character mark of a kind in the matrix (its short name's first else)."""
    return KIND_ABBREVIATIONS.get(kind.code) or (kind.short_name or kind.name)[:1]


# --- Filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """What a report covers.

    - ``root``: the branch subtree (None only when ``member`` is set);
    - ``member``: one member only (a member without a managed branch sees their own record);
    - ``start`` / ``end``: local days, both inclusive;
    - ``kinds`` / ``categories``: empty means all. The category is the snapshot one
      (``Attendance.category``); it does not narrow the compliance counts.
    """

    start: date
    end: date
    root: Branch | None = None
    member: Member | None = None
    kinds: tuple[SessionKind, ...] = ()
    categories: tuple[MemberCategory, ...] = ()

    @property
    def subject(self) -> str:
        """Return whose report it is: the branch name, else the member's."""
        if self.root is not None:
            return self.root.name
        return self.member.name if self.member is not None else ""

    @property
    def period_label(self) -> str:
        return f"{self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    @property
    def scope(self) -> str:
        """Return what every tab counts, in one sentence that every tab shows alike."""
        if self.root is None and self.member is not None:
            who = _("%(member)s, at the sessions they were expected at") % {
                "member": self.member.name
            }
        else:
            who = _(
                "Members of %(branch)s and the branches under it, at every session they were "
                "expected at (sessions of higher-level branches included)"
            ) % {"branch": self.subject}
        parts = [who, self.period_label]
        if self.kinds:
            parts.append(_("kinds: %(kinds)s") % {"kinds": "、".join(k.label for k in self.kinds)})
        if self.categories:
            names = "、".join(c.name for c in self.categories)
            parts.append(_("categories: %(categories)s") % {"categories": names})
        return _("%(scope)s. Sessions not yet started or cancelled do not count.") % {
            "scope": _("; ").join(parts)
        }

    @property
    def title(self) -> str:
        """Return the branch and period, as report titles and export file names carry them."""
        return f"{self.subject} {self.period_label}"

    @property
    def months(self) -> list[date]:
        """Return the first day of each month from start to end."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    def window_end(self, now: datetime) -> datetime:
        """Return the exclusive upper bound of session starts: the end day or now."""
        return min(local_midnight(self.end + timedelta(days=1)), now)


def attendance_in_scope(filters: ReportFilters, *, now: datetime) -> QuerySet[Attendance]:
    """Return the attendance rows a report counts: happened, not cancelled, within filters."""
    rows = Attendance.objects.exclude(session__status=StudySession.Status.CANCELLED).filter(
        session__starts_at__gte=local_midnight(filters.start),
        session__starts_at__lt=filters.window_end(now),
    )
    if filters.root is not None:
        rows = rows.filter(member_branch__path__startswith=filters.root.path)
    if filters.member is not None:
        rows = rows.filter(member=filters.member)
    if filters.kinds:
        rows = rows.filter(session__kind__in=[k.pk for k in filters.kinds])
    if filters.categories:
        rows = rows.filter(category__in=[c.pk for c in filters.categories])
    return rows.order_by()


def group_labels(paths: Iterable[str], root: Branch | None) -> dict[str, str]:
    """Return a label per branch path: its names below root ("第一党支部 / 第一党小组"), 1 query.

    Names repeat across branches (every 党支部 has a 第一党小组), so a group is named with
    the branches between it and the report's root.
    """
    paths = set(paths)
    steplen = Branch.steplen
    wanted = {p[:end] for p in paths for end in range(steplen, len(p) + 1, steplen)}
    names = dict(Branch.objects.filter(path__in=wanted).values_list("path", "name"))
    depth = len(root.path) if root is not None else 0
    labels = {}
    for path in paths:
        lowest = min(max(depth + steplen, steplen), len(path))
        if root is None:
            lowest = len(path)
        chain = range(lowest, len(path) + 1, steplen)
        labels[path] = " / ".join(names.get(path[:end], "") for end in chain)
    return labels
