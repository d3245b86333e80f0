"""`make bench`: the figures the issues ask for, printed as a small table.

Runs against a throwaway SQLite database (or DATABASE_URL's server, in a database
named with a `bench_` prefix) so the demo data is never touched.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyhub.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.floor"  # the site's URLs and the floor
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

# measurement, server time, queries, bytes, against the floor, target
Row = tuple[str, ...]
COLUMNS = ("measurement", "server time", "queries", "bytes", "vs floor", "target")


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Return the wall times of `repeat` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_import() -> list[Row]:
    from lessons import importer

    data = (ROOT / "lessons" / "data" / "lecture-2020-organisation-line.txt").read_bytes()
    importer.parse_file(data, "warm-up.txt")
    times = timed(lambda: importer.parse_file(data, "lecture.txt"), 30)
    median = statistics.median(times)
    verdict = "ok" if median < 150 else "SLOW"
    return [
        ("import sample lecture (parse)", f"{median:.1f} ms median", "-", f"< 150 ms {verdict}")
    ]


def median_ms(client: Client, url: str, params: dict, repeat: int) -> float:
    return statistics.median(timed(lambda: client.get(url, params), repeat))


def floor_ms(client: Client, size: int, repeat: int) -> float:
    """Return the floor's median time for a page of `size` bytes (bench/floor.py)."""
    empty = len(client.get("/bench/floor/0/").content)
    per_row = (len(client.get("/bench/floor/100/").content) - empty) / 100
    rows = max(0, round((size - empty) / per_row))
    return median_ms(client, f"/bench/floor/{rows}/", {}, repeat)


def measure(client: Client, pages: list[tuple], repeat: int = 10) -> list[Row]:
    """Time each page (median server time through the test client), count its queries and
    bytes, and set it against the floor of the same size measured now. A page given as
    (label, url, params, max_ratio, max_queries) is marked ok or MISS against those (a
    max_ratio of None: queries only)."""
    rows: list[Row] = []
    for label, url, params, *targets in pages:
        client.get(url, params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        # Count now: every request starts by resetting the connection's query log.
        query_count = len(queries)
        assert response.status_code == 200, (url, response.status_code)
        took = median_ms(client, url, params, repeat)
        floor = floor_ms(client, len(response.content), repeat)
        ratio = took / floor
        target = ""
        if targets:
            max_ratio, max_queries = targets
            met = query_count <= max_queries and (max_ratio is None or ratio <= max_ratio)
            wanted = f"≤ {max_queries} queries"
            if max_ratio is not None:
                wanted = f"≤ {max_ratio}× floor, {wanted}"
            target = f"{wanted} {'ok' if met else 'MISS'}"
        rows.append(
            (
                label,
                f"{took:.1f} ms median",
                str(query_count),
                f"{len(response.content) / 1024:,.0f} KB",
                f"{ratio:.1f}× ({floor:.1f} ms)",
                target,
            )
        )
    return rows


def bench_lesson_pages() -> list[Row]:
    from tests.conftest import make_user
    from tests.lessons.factories import make_lecture

    client = Client()
    client.force_login(make_user("bench-reader"))
    lecture = make_lecture(sections=200, terms=300)
    section = lecture.sections.order_by("position")[100]
    return measure(
        client,
        [
            ("lecture page (200 sections, 300 terms)", lecture.get_absolute_url(), {}),
            ("section page (200 sections, 300 terms)", section.get_absolute_url(), {}, 2, 12),
        ],
    )


SIZES = ((20, 600), (200, 6000))


def bench_committees() -> list[Row]:
    """The pages of issue 12's table for a 党委 of 20 branches and 600 members and one of 200
    and 6,000, each with three years of history (bench/data.py). Each target stands beside
    its figure; at the larger size the time is also set against the smaller one's (the
    reports may grow at most linearly: ≤ 10× for ten times the data)."""
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from bench.data import grow_committee
    from groups.models import Attendance, StudySession

    rows: list[Row] = []
    times: dict[str, float] = {}
    for branches, members in SIZES:
        committee = grow_committee(f"{members}人党委", branches=branches, members=members)
        root, session = committee.root, committee.session
        member, secretary = Client(), Client()
        member.force_login(committee.reader.user)
        secretary.force_login(committee.secretary)
        today = timezone.localdate()
        year = {
            "branch": root.pk,
            "date_from": (today - timedelta(days=364)).isoformat(),
            "date_to": today.isoformat(),
        }
        records = Attendance.objects.filter(session__branch__path__startswith=root.path)
        sessions = StudySession.objects.filter(branch__path__startswith=root.path).count()
        size = f"{branches} branches, {members:,} members"
        print(f"# {size}: {sessions:,} sessions, {records.count():,} attendance rows", flush=True)
        small = members == SIZES[0][1]
        report_ratio = 3 if small else None
        pages = [
            (member, "member home", reverse("home"), {}, 2, 12),
            (member, "section page", committee.section.get_absolute_url(), {}, 2, 12),
            (secretary, "secretary home", reverse("home"), {}, 2, 12),
            (secretary, "branch page (党委)", reverse("groups:branch-detail", args=[root.pk]),
             {}, None, 12),
            (secretary, "session list", reverse("groups:session-list"), {}, None, 12),
            (secretary, "calendar month", reverse("groups:calendar-month"), {}, None, 12),
            (secretary, f"session page, 3 sections ({members:,} expected)",
             session.get_absolute_url(), {}, 3, 12),
            (secretary, f"attendance page ({members:,} expected)",
             reverse("groups:attendance-take", args=[session.pk]), {}, 3, 12),
            (secretary, "compliance, year", reverse("groups:compliance"), {"period": "year"},
             None, 12),
        ] + [
            (secretary, f"{name} report, a year", reverse(f"groups:report-{name}"), year,
             report_ratio, 12)
            for name in ("members", "matrix", "ledger", "branches", "follow-up")
        ]  # fmt: skip
        for client, label, url, params, max_ratio, max_queries in pages:
            (row,) = measure(client, [(f"{label} [{size}]", url, params, max_ratio, max_queries)])
            took = float(row[1].split()[0])
            if small:
                times[label.split(" (")[0]] = took
            else:
                growth = took / times[label.split(" (")[0]]
                verdict = "ok" if growth <= 10 else "MISS"
                row = (*row[:5], f"{row[5]}; ×{growth:.1f} the small size (≤ 10×: {verdict})")
            rows.append(row)
    return rows


def bench_upload_bombs() -> list[Row]:
    """Each hostile upload of tests/bombs.py, read in a fresh process: time and peak memory."""
    import tempfile

    from tests import bombs

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, table in (("roster", bombs.ROSTER_BOMBS), ("lecture", bombs.LECTURE_BOMBS)):
            for label, make in table.items():
                data = make()
                result = bombs.measure(kind, data, Path(tmp))
                verdict = "ok" if result["peak_mb"] < 200 and result["message"] else "MISS"
                rows.append(
                    (
                        f"{kind} bomb: {label} ({len(data) / 1024:,.1f} KB)",
                        f"{result['seconds'] * 1000:,.0f} ms, peak +{result['peak_mb']} MB",
                        "",
                        f"refused, < 200 MB: {verdict}",
                    )
                )
    return rows


def bench_roster_import() -> list[Row]:
    """A 党委's 5,000-row roster, into 50 branches with a year of weekly sessions scheduled.

    First every member is created; then a second roster makes 1,000 预备党员 full members
    (转正) and moves 500 to another branch. Both refresh the 应到 of sessions not yet held.
    """
    from django.utils import timezone

    from groups.models import Attendance, BranchKind, StudySession
    from groups.org.services import roster_import
    from tests.groups.factories import grow_organisation, make_branch

    rows, branches = 5000, 50
    root = make_branch("导入党委", BranchKind.COMMITTEE)
    added = grow_organisation(root, branches=branches, members=0)
    # Each 党支部 has a term of weekly sessions ahead, which expect its members; the 党委's
    # own meetings expect its committee, so they are left out of the figure.
    StudySession.objects.filter(branch=root).delete()
    header = "姓名,性别,手机号,人员类别,入党时间,所在支部"

    def roster(category_of, branch_of) -> bytes:
        lines = [header] + [
            f"党员{i},{'男' if i % 2 else '女'},139{i:08d},{category_of(i)},2010-07-01,"
            f"{added[branch_of(i)].name}"
            for i in range(rows)
        ]
        return "\r\n".join(lines).encode("utf-8-sig")

    first = roster(lambda i: "预备党员" if i % 5 == 0 else "正式党员", lambda i: i % branches)
    second = roster(
        lambda i: "正式党员", lambda i: (i + 1) % branches if i % 10 == 1 else i % branches
    )
    upcoming = StudySession.objects.filter(branch__in=added, starts_at__gt=timezone.now()).count()
    figures: list[Row] = []
    snapshot = Attendance.objects.filter(session__branch__in=added)
    for label, data in [
        (f"roster import: {rows:,} new members, {upcoming:,} sessions ahead", first),
        ("roster import again: 1,000 转正, 500 transfers", second),
    ]:
        start = time.perf_counter()
        plan = roster_import(data=data, filename="名册.csv", root=root)
        seconds = time.perf_counter() - start
        assert plan.is_valid, plan.messages()[:3]
        verdict = "ok" if seconds < 10 else "SLOW"
        label = f"{label} ({snapshot.count():,} 应到 rows)"
        figures.append((label, f"{seconds:.2f} s", "-", f"< 10 s {verdict}"))
    # Everyone is a full member now, expected at every session of their branch ahead.
    assert snapshot.filter(has_vote=True).count() == rows * upcoming // branches
    return figures


def bench_attendance_page() -> list[Row]:
    """Taking attendance for a 党支部 of 300 members in five 党小组."""
    from django.urls import reverse

    from tests.groups.factories import big_session

    session, secretary = big_session(300)
    client = Client()
    client.force_login(secretary)
    return measure(
        client,
        [
            (
                "attendance page (300 members)",
                reverse("groups:attendance-take", args=[session.pk]),
                {},
                3,
                12,
            ),
            (
                "sign-in sheet (300 members)",
                reverse("groups:attendance-signin-sheet", args=[session.pk]),
                {},
                3,
                12,
            ),
        ],
    )


def bench_exports() -> list[Row]:
    """CSV detail export of 1,000,000 rows (beside COPY on PostgreSQL); XLSX of 200,000."""
    from bench.exports_bench import measure_exports

    return measure_exports()


def bench_archive() -> list[Row]:
    """The yearly archive (PDF and XLSX) of the demo 党委: its four 党支部 and a semester."""
    import io

    from django.utils import timezone
    from pypdf import PdfReader

    from groups.archive.services import archive_build
    from groups.demo.attendance import build_demo_attendance
    from groups.demo.org import build_demo_organisation
    from groups.demo.sessions import build_demo_sessions
    from groups.models import Branch

    build_demo_organisation(password="bench")
    build_demo_sessions()
    build_demo_attendance()
    committee = Branch.objects.get(code="demo-committee")
    steps: list[int] = []
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        pdf, xlsx = archive_build(
            branch=committee,
            year=timezone.localdate().year,
            progress=lambda done, total: steps.append(total),
        )
    seconds = time.perf_counter() - start
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    label = (
        f"archive of the demo 党委: {steps[-1] - 2} sessions, {pages} pages "
        f"({len(pdf) // 1024:,} KB PDF, {len(xlsx) // 1024:,} KB XLSX)"
    )
    verdict = "ok" if seconds < 120 else "SLOW"
    return [(label, f"{seconds:.1f} s", str(len(queries)), f"< 120 s {verdict}")]


def main() -> None:
    from django.test.utils import get_runner

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        rows = [
            *bench_import(),
            *bench_lesson_pages(),
            *bench_committees(),
            *bench_upload_bombs(),
            *bench_roster_import(),
            *bench_exports(),
            *bench_attendance_page(),
            *bench_archive(),
        ]
    finally:
        runner.teardown_databases(old_config)
    # Rows of other measurements have no bytes or floor.
    rows = [r if len(r) == len(COLUMNS) else (*r[:3], "-", "-", r[3]) for r in rows]
    header: Row = COLUMNS
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(COLUMNS))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        cells = zip(row, widths, strict=True)
        print("  ".join(cell + " " * (width - display_width(cell)) for cell, width in cells))


def display_width(text: str) -> int:
    """Return the columns a terminal gives the text (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


if __name__ == "__main__":
    main()
