"""Read paths of assigned reading: the reading on the member's home page (groups.reading.home)
and section progress, the managers' status tables and the study notes they may read.

Who is expected at a session is its 应到 snapshot (``groups.sessions.selectors.expected_members``),
taken from the roster rule ``members_to_expect`` when it was scheduled. The home page asks
the roster rule the other way round (which sessions expect this member) in one query,
through ``groups.attendance.expected.sessions_expecting``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from groups.attendance.expected import sessions_expecting
from groups.models import (
    Attendance,
    BranchRole,
    Member,
    ReadingAssignment,
    ReadingProgress,
    StudyNote,
    StudySession,
)
from groups.permissions import scope_members
from groups.sessions.selectors import expected_members
from lessons.models import Section

UPCOMING_DAYS = 30
# Reading of sessions held this recently still shows on the home page.
RECENT_DAYS = 14
MANAGED_SESSIONS_SHOWN = 8

UNREAD = "unread"
OPENED = "opened"
READ = "read"


# --- Selectors: the member's side ---------------------------------------------------------


@dataclass
class ReadingItem:
    """A section assigned to a member, with the session it is for and their progress."""

    section: Section
    session: StudySession
    opened_at: datetime | None
    read_at: datetime | None

    @property
    def status(self) -> str:
        return READ if self.read_at else OPENED if self.opened_at else UNREAD


def _progress_subquery(member: Member, column: str) -> Subquery:
    return Subquery(
        ReadingProgress.objects.filter(member=member, section=OuterRef("section_id")).values(
            column
        )[:1]
    )


def member_reading(member: Member, *, now: datetime) -> list[ReadingItem]:
    """Return the sections of the member's recent and upcoming sessions with their progress.

    A section assigned to several sessions shows once, for the earliest upcoming one.
    """
    sessions = (
        sessions_expecting(member)
        .not_cancelled()
        .filter(
            starts_at__gte=now - timedelta(days=RECENT_DAYS),
            starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
        )
    )
    assignments = (
        ReadingAssignment.objects.filter(session__in=sessions)
        .select_related("section__lecture", "session__kind")
        .defer("section__body", "section__lecture__preamble")
        .annotate(
            opened_at=_progress_subquery(member, "opened_at"),
            read_at=_progress_subquery(member, "read_at"),
        )
        .order_by("session__starts_at", "position", "pk")
    )
    items: dict[int, ReadingItem] = {}
    for a in assignments:
        known = items.get(a.section_id)
        # Prefer the next session to come over a past one for the same section.
        if known is None or (known.session.starts_at < now <= a.session.starts_at):
            items[a.section_id] = ReadingItem(
                section=a.section, session=a.session, opened_at=a.opened_at, read_at=a.read_at
            )
    return sorted(items.values(), key=lambda item: item.session.starts_at)


@dataclass
class SectionProgress:
    """What the reading panel under a section shows the signed-in user."""

    member: Member | None = None
    opened_at: datetime | None = None
    read_at: datetime | None = None
    note: str = ""
    note_updated_at: datetime | None = None
    may_read_notes: bool = False


def section_progress(user: Any, section: Section) -> SectionProgress:
    """Return the user's progress and note on a section (one query)."""
    if not user.is_authenticated:
        return SectionProgress()
    # Staff manage every branch; members manage when they hold a role (managed_branches).
    is_staff = bool(user.is_staff and user.is_active)
    # Two joins, not a subquery a column: the ORM's cost of building this query is most of
    # the section page's own time.
    member = (
        Member.objects.active()
        .filter(user=user)
        .annotate(
            progress=FilteredRelation(
                "reading_progress", condition=Q(reading_progress__section=section)
            ),
            note=FilteredRelation("study_notes", condition=Q(study_notes__section=section)),
            opened_at=F("progress__opened_at"),
            read_at=F("progress__read_at"),
            note_text=F("note__text"),
            note_updated_at=F("note__updated_at"),
            holds_role=Exists(BranchRole.objects.active().filter(member=OuterRef("pk"))),
        )
        .only("pk")
        .order_by()
        .first()
    )
    if member is None:
        return SectionProgress(may_read_notes=is_staff)
    return SectionProgress(
        member=member,
        opened_at=member.opened_at,
        read_at=member.read_at,
        note=member.note_text or "",
        note_updated_at=member.note_updated_at,
        may_read_notes=is_staff or member.holds_role,
    )


# --- Selectors: the managers' side --------------------------------------------------------

SORTS = ("name", "status", "read_at")
STATUS_ORDER = {UNREAD: 0, OPENED: 1, READ: 2}


@dataclass
class MemberReading:
    member: Member
    opened_at: datetime | None = None
    read_at: datetime | None = None
    note: str = ""

    @property
    def status(self) -> str:
        return READ if self.read_at else OPENED if self.opened_at else UNREAD


@dataclass
class SectionStatus:
    """One assigned section: every expected member's row (``rows``, for the reminders), or
    only the rows a page shows (``shown``) with the counts over everyone."""

    section: Section
    rows: list[MemberReading] = field(default_factory=list)
    shown: list[MemberReading] = field(default_factory=list)  # the rows a page shows
    counts: dict[str, int] | None = None  # members by status, when rows are not all loaded

    def _count(self, status: str) -> int:
        if self.counts is not None:
            return self.counts[status]
        return sum(1 for row in self.rows if row.status == status)

    @property
    def read_count(self) -> int:
        return self._count(READ)

    @property
    def opened_count(self) -> int:
        return self._count(OPENED)

    @property
    def unread_count(self) -> int:
        return self._count(UNREAD)

    @property
    def members(self) -> int:
        return sum(self.counts.values()) if self.counts is not None else len(self.rows)


def parse_sort(value: str | None) -> tuple[str, bool]:
    """Return (key, descending) for a ?sort= value such as "name" or "-read_at"."""
    value = value or ""
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORTS:
        return "status", False
    return key, descending


def _sort_rows(rows: list[MemberReading], key: str, descending: bool) -> list[MemberReading]:
    """Sort one section's rows; names by their pinyin, stored with the member."""

    def sort_key(row: MemberReading) -> tuple:
        name = (row.member.sort_name, row.member.pk)
        if key == "name":
            return (name,)
        if key == "read_at":
            # The unread after the read, in either direction of the read times.
            return (row.read_at is None, row.read_at.timestamp() if row.read_at else 0, name)
        return (STATUS_ORDER[row.status], name)

    return sorted(rows, key=sort_key, reverse=descending)


# The session page shows this many members of each section (unread first); its full list
# is on the session's reading page, this many a page.
READING_PREVIEW_ROWS = 20
READING_PAGE_ROWS = 100


@dataclass
class ReadingStatus:
    """The managers' table of who has read each assigned section, sorted as asked.

    Each section's counts cover every expected member; its ``shown`` rows are one page of
    them (``page``), or on the session page the first READING_PREVIEW_ROWS (``more``: how
    many the full list adds), so the page stays the same size for a 党委-wide session.
    """

    statuses: list[SectionStatus]
    sort: str
    descending: bool
    page: Page | None = None
    more: int = 0
    members: int = 0  # expected at the session
    preview_rows: int = READING_PREVIEW_ROWS

    @property
    def query(self) -> str:
        """The sort as the start of a query string, for the pager's links."""
        return f"sort={'-' if self.descending else ''}{self.sort}&"


def reading_status(
    session: StudySession,
    *,
    sort: str | None = None,
    page: str | int | None = None,
    preview: bool = False,
    sections: list[Section] | None = None,
) -> ReadingStatus:
    """Return the reading status of a session, sorted by a ?sort= value: the page of rows
    asked for, or with preview the first few, and each section's counts over everyone.

    Three queries (four without the assigned sections) whatever the number expected: the
    database sorts and cuts each section's rows, so a 党委-wide session of 6,000 loads a page
    of them, not 6,000 members per section.
    """
    key, descending = parse_sort(sort)
    sections = _assigned_sections(session) if sections is None else sections
    if not sections:
        return ReadingStatus([], key, descending)
    statuses = {
        s.pk: SectionStatus(section=s, counts=dict.fromkeys(STATUS_ORDER, 0)) for s in sections
    }
    for row in (
        _reading_rows(session, statuses)
        .values("section_id")
        .annotate(
            read=Count("pk", filter=Q(read_at__isnull=False)),
            opened=Count("pk", filter=Q(read_at__isnull=True, opened_at__isnull=False)),
            members=Count("pk"),
        )
        .order_by()
    ):
        counts = statuses[row["section_id"]].counts
        counts.update({READ: row["read"], OPENED: row["opened"]})
        counts[UNREAD] = row["members"] - row["read"] - row["opened"]
    members = next(iter(statuses.values())).members
    if preview:
        shown, more = slice(0, READING_PREVIEW_ROWS), max(0, members - READING_PREVIEW_ROWS)
        result = ReadingStatus(list(statuses.values()), key, descending, more=more, members=members)
    else:
        pager = Paginator(range(members), READING_PAGE_ROWS).get_page(page)
        shown = slice(pager.start_index() - 1, pager.end_index())
        result = ReadingStatus(
            list(statuses.values()), key, descending, page=pager, members=members
        )
    rows = list(
        _reading_rows(session, statuses)
        .annotate(
            place=Window(
                RowNumber(), partition_by=[F("section_id")], order_by=_order(key, descending)
            )
        )
        .filter(place__gt=shown.start, place__lte=shown.stop)
        .values("member_id", "section_id", "opened_at", "read_at", "note_text", "place")
    )
    found = Member.objects.select_related("branch").in_bulk({r["member_id"] for r in rows})
    for row in sorted(rows, key=lambda r: r["place"]):
        statuses[row["section_id"]].shown.append(
            MemberReading(
                member=found[row["member_id"]],
                opened_at=row["opened_at"],
                read_at=row["read_at"],
                note=row["note_text"] or "",
            )
        )
    return result


def _assigned_sections(session: StudySession) -> list[Section]:
    return [
        a.section
        for a in ReadingAssignment.objects.filter(session=session)
        .select_related("section__lecture")
        .defer("section__body", "section__lecture__preamble")
    ]


def _reading_rows(session: StudySession, statuses: dict[int, SectionStatus]) -> QuerySet:
    """One row per expected member and section: the 应到 snapshot joined to the session's
    assignments, with the member's progress and note on that section."""
    progress = ReadingProgress.objects.filter(
        member=OuterRef("member_id"), section=OuterRef("section_id")
    )
    note = StudyNote.objects.filter(member=OuterRef("member_id"), section=OuterRef("section_id"))
    return (
        Attendance.objects.filter(session=session)
        .annotate(section_id=F("session__assignments__section_id"))
        .filter(section_id__in=list(statuses))
        .annotate(
            opened_at=Subquery(progress.values("opened_at")[:1]),
            read_at=Subquery(progress.values("read_at")[:1]),
            note_text=Subquery(note.values("text")[:1]),
        )
    )


def _order(key: str, descending: bool) -> list:
    """The ORDER BY of _sort_rows, for the database."""
    name = [F("member__sort_name"), F("member_id")]
    if key == "name":
        order = name
    elif key == "read_at":
        # The unread after the read, in either direction of the read times.
        unread = Case(When(read_at__isnull=True, then=Value(1)), default=Value(0))
        order = [unread, F("read_at"), *name]
    else:
        rank = Case(
            When(read_at__isnull=False, then=Value(STATUS_ORDER[READ])),
            When(opened_at__isnull=False, then=Value(STATUS_ORDER[OPENED])),
            default=Value(STATUS_ORDER[UNREAD]),
        )
        order = [rank, *name]
    return [term.desc() if descending else term.asc() for term in order]


def reading_status_for_session(
    session: StudySession, *, sort: str | None = None, sections: list[Section] | None = None
) -> list[SectionStatus]:
    """Return, per assigned section, each expected member's progress and note (4 queries, 3
    given the assigned sections)."""
    key, descending = parse_sort(sort)
    if sections is None:
        sections = _assigned_sections(session)
    if not sections:
        return []
    expected = expected_members(session)
    members = list(expected.select_related("branch", "user").order_by("pk"))
    section_ids = [s.pk for s in sections]
    progress = {
        (p["member_id"], p["section_id"]): p
        for p in ReadingProgress.objects.filter(
            section_id__in=section_ids, member__in=expected.values("pk")
        ).values("member_id", "section_id", "opened_at", "read_at")
    }
    notes = {
        (n["member_id"], n["section_id"]): n["text"]
        for n in StudyNote.objects.filter(
            section_id__in=section_ids, member__in=expected.values("pk")
        ).values("member_id", "section_id", "text")
    }
    result = []
    for section in sections:
        rows = []
        for member in members:
            found = progress.get((member.pk, section.pk), {})
            rows.append(
                MemberReading(
                    member=member,
                    opened_at=found.get("opened_at"),
                    read_at=found.get("read_at"),
                    note=notes.get((member.pk, section.pk), ""),
                )
            )
        rows = _sort_rows(rows, key, descending)
        result.append(SectionStatus(section=section, rows=rows))
    return result


def unread_by_member(session: StudySession) -> dict[Member, list[Section]]:
    """Return each expected member with a login and the assigned sections they have not read."""
    unread: dict[Member, list[Section]] = defaultdict(list)
    for status in reading_status_for_session(session, sort="name"):
        for row in status.rows:
            if row.read_at is None and row.member.user_id:
                unread[row.member].append(status.section)
    return dict(unread)


def visible_notes(user: Any, section: Section) -> list[StudyNote]:
    """Return the notes on a section by members the user manages (their own included)."""
    return list(
        StudyNote.objects.filter(section=section, member__in=scope_members(user))
        .select_related("member__branch")
        .order_by("member__name", "pk")
    )
