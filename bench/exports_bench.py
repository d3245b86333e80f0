"""Export measurements for `make bench`: 1,000,000 attendance rows as CSV, 200,000 as XLSX.

bench/run.py calls ``measure_exports()`` inside its throwaway database. The rows are made
by one INSERT … SELECT (sessions × members). Every export then runs in a CHILD process
(this file run as a script) so its peak memory (VmHWM) is the export's own, not the
bench's: the child writes to /dev/null (CSV) or a temporary file (XLSX) and prints JSON.
On SQLite the in-memory test database is first copied to a file (VACUUM INTO) the child
can open; on PostgreSQL the child connects to the same test database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# sessions × members = CSV rows: 1,000 daily sessions of a 党委 with 1,000 members.
CSV_SESSIONS = 1000
MEMBERS = 1000
CSV_ROWS = CSV_SESSIONS * MEMBERS
XLSX_ROWS = 200_000  # the first 200 sessions
BRANCH_CODE = "bench-exports"
FIRST_DAY = date(2022, 1, 1)


def generate(*, sessions: int = CSV_SESSIONS) -> int:
    """Create the 党委, its members and sessions and their attendance; return the row count.

    ``sessions`` daily sessions of MEMBERS members each (the worker test makes 200)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from groups.models import (
        Attendance,
        Branch,
        BranchKind,
        MakeUpStudy,
        Member,
        MemberCategory,
        SessionKind,
        StudySession,
    )
    from tests.groups.factories import local

    root = Branch.objects.add_root(
        {
            "name": "导出基准党委",
            "code": BRANCH_CODE,
            "kind": BranchKind.objects.get(code="committee"),
        }
    )
    kind = BranchKind.objects.get(code="branch")
    groups = [
        Branch.objects.add_child(
            root, {"name": f"第{n + 1}党支部", "code": f"{BRANCH_CODE}-{n}", "kind": kind}
        )
        for n in range(10)
    ]
    category = MemberCategory.objects.get(code=MemberCategory.FULL)
    Member.objects.bulk_create(
        Member(name=f"导出党员{i:04d}", branch=groups[i % 10], category=category)
        for i in range(MEMBERS)
    )
    kinds = list(SessionKind.objects.all())
    StudySession.objects.bulk_create(
        StudySession(
            branch=root,
            kind=kinds[n % len(kinds)],
            topic=f"第{n + 1}次学习：新时代党的组织路线",
            starts_at=local(FIRST_DAY + timedelta(days=n)),
            ends_at=local(FIRST_DAY + timedelta(days=n)) + timedelta(minutes=90),
            status=StudySession.Status.HELD,
        )
        for n in range(sessions)
    )
    table = Attendance._meta.db_table
    sessions, members = StudySession._meta.db_table, Member._meta.db_table
    member_branches = Branch.objects.filter(path__startswith=root.path).values("pk")
    branch_sql, branch_params = member_branches.query.sql_with_params()
    # Check-in times spread over the quarter hour before the start, as real ones are.
    if connection.vendor == "postgresql":
        checked_in = "s.starts_at - make_interval(secs => m.id %% 900)"
    else:
        checked_in = "datetime(s.starts_at, '-' || (m.id %% 900) || ' seconds')"
    with transaction.atomic(), connection.cursor() as cursor:
        # %% is a literal % under Django's parameter style.
        cursor.execute(
            f"""
            INSERT INTO {table} (session_id, member_id, member_branch_id, category_id,
                                 has_vote, status, note, checked_in_at, updated_at,
                                 recorded_before_start)
            SELECT s.id, m.id, m.branch_id, m.category_id, %s,
                   CASE (s.id + m.id) %% 10 WHEN 0 THEN 'absent' WHEN 1 THEN 'excused'
                        WHEN 2 THEN 'late' ELSE 'present' END,
                   CASE WHEN (s.id + m.id) %% 50 = 0 THEN '=提前离场' ELSE '' END,
                   CASE WHEN (s.id + m.id) %% 10 >= 2 THEN {checked_in} END,
                   %s, %s
            FROM {sessions} s CROSS JOIN {members} m
            WHERE s.branch_id = %s AND m.branch_id IN ({branch_sql})
            """,
            [True, timezone.now(), False, root.pk, *branch_params],
        )
    # 补学 for the absent: pending, submitted or confirmed by turns.
    makeups = MakeUpStudy._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {makeups} (attendance_id, note, submitted_at, confirmed_at)
            SELECT a.id, '', CASE WHEN a.id %% 3 > 0 THEN a.updated_at END,
                   CASE WHEN a.id %% 3 = 2 THEN a.updated_at END
            FROM {table} a JOIN {sessions} s ON s.id = a.session_id
            WHERE s.branch_id = %s AND a.status = 'absent'
            """,
            [root.pk],
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give them
    return Attendance.objects.filter(member_branch__path__startswith=root.path).count()


def _child_env() -> dict[str, str]:
    """Return the environment of a child process that opens the bench's database."""
    from django.db import connection

    env = dict(os.environ)
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or "postgres"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    return env


def _run_child(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"export child {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_exports() -> list[tuple[str, str, str, str]]:
    """Return the bench rows: CSV (portable and COPY) at 1M rows, XLSX against openpyxl."""
    from django.db import connection

    started = time.perf_counter()
    rows = generate()
    made = time.perf_counter() - started
    env = _child_env()
    copy_file = None
    if connection.vendor == "sqlite":
        # The test database lives in this process's memory: give the child a file copy.
        copy_file = Path(tempfile.mkdtemp(prefix="bench-exports-")) / "bench.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy_file)])
        env["DATABASE_URL"] = f"sqlite:///{copy_file}"
    last_day = FIRST_DAY + timedelta(days=CSV_SESSIONS - 1)
    xlsx_last = FIRST_DAY + timedelta(days=XLSX_ROWS // MEMBERS - 1)
    out: list[tuple[str, str, str, str]] = [
        (f"generate {rows:,} attendance rows", f"{made:.1f} s", "-", "INSERT … SELECT")
    ]
    try:
        on_postgres = connection.vendor == "postgresql"
        portable = _run_child(env, "csv-portable", str(last_day))
        label = "CSV detail, portable path" + (" (not served on PG)" if on_postgres else "")
        out.append(_csv_row(label, portable, judge=not on_postgres))
        if on_postgres:
            fast = _run_child(env, "csv-copy", str(last_day))
            ceiling = _run_child(env, "copy-ceiling", str(last_day))
            out.append(_csv_row("CSV detail, COPY path (served on PG)", fast))
            out.append(_csv_row("PostgreSQL COPY TO STDOUT (ceiling)", ceiling, judge=False))
            ratio = fast["rows_per_s"] / ceiling["rows_per_s"]
            verdict = "ok" if ratio >= 0.5 else "below 0.5"
            out.append(("CSV export / COPY ceiling", f"{ratio:.2f}", "-", f"≥ 0.5 {verdict}"))
            ratio = portable["rows_per_s"] / ceiling["rows_per_s"]
            out.append(("CSV portable path / COPY ceiling", f"{ratio:.2f}", "-", "for reference"))
        else:
            out.append(("CSV vs COPY ceiling", "needs PostgreSQL", "-", "set DATABASE_URL"))
        xlsx = _run_child(env, "xlsx", str(xlsx_last))
        baseline = _run_child(env, "openpyxl", str(xlsx_last))
        if baseline["seconds"] / xlsx["seconds"] < 2.5:
            # Close to the target: a second run of each, and the best of two, so a busy
            # moment on the machine does not decide the ratio.
            xlsx = min(xlsx, _run_child(env, "xlsx", str(xlsx_last)), key=_seconds)
            baseline = min(baseline, _run_child(env, "openpyxl", str(xlsx_last)), key=_seconds)
        job = _run_child(env, "xlsx-job", str(xlsx_last))
        measured = (
            ("XLSX detail, XlsxWriter", xlsx),
            ("XLSX detail as a background job", job),
            ("openpyxl write-only", baseline),
        )
        for label, result in measured:
            out.append(
                (
                    f"{label} ({result['rows']:,} rows)",
                    f"{result['seconds']:.1f} s, {result['rows_per_s']:,.0f} rows/s",
                    "-",
                    f"peak {result['peak_mb']:.0f} MB",
                )
            )
        ratio = baseline["seconds"] / xlsx["seconds"]
        out.append(("XLSX speed-up over openpyxl", f"{ratio:.1f}×", "-", f"≥ 2× {_ok(ratio >= 2)}"))
    finally:
        if copy_file is not None:
            copy_file.unlink(missing_ok=True)
            copy_file.parent.rmdir()
    return out


def _seconds(result: dict[str, Any]) -> float:
    return result["seconds"]


def _ok(passed: bool) -> str:
    return "ok" if passed else "FAILED"


def _csv_row(label: str, result: dict[str, Any], *, judge: bool = True) -> tuple[str, ...]:
    first = result["first_row_ms"]
    target = f"first row {first:.0f} ms, peak {result['peak_mb']:.0f} MB"
    if judge:
        target += f"; < 1 s, < 200 MB {_ok(first < 1000 and result['peak_mb'] < 200)}"
    return (
        f"{label} ({result['rows']:,} rows)",
        f"{result['seconds']:.1f} s, {result['rows_per_s']:,.0f} rows/s",
        "-",
        target,
    )


# --- The child: one export, measured ------------------------------------------------------


def _peak_mb() -> float:
    """Return this process's peak resident memory (VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, last_day: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyhub.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import translation

    from groups.exports.exporters import DetailExporter
    from groups.exports.writers import export_csv_chunks, export_xlsx
    from groups.models import Branch
    from groups.reports.filters import ReportFilters

    translation.activate("zh-hans")
    filters = ReportFilters(
        start=FIRST_DAY,
        end=date.fromisoformat(last_day),
        root=Branch.objects.get(code=BRANCH_CODE),
    )
    exporter = DetailExporter(filters)
    started = time.perf_counter()
    first_row = None
    lines = 0
    if mode.startswith("csv") or mode == "copy-ceiling":
        if mode == "copy-ceiling":
            chunks = _raw_copy(connection, exporter)
        else:
            chunks = export_csv_chunks(exporter, fast=mode == "csv-copy")
        with open(os.devnull, "wb") as sink:
            for chunk in chunks:
                data = chunk.encode() if isinstance(chunk, str) else chunk
                lines += data.count(b"\n")
                if first_row is None and lines > 1:
                    first_row = time.perf_counter() - started
                sink.write(data)
        rows = lines - (mode != "copy-ceiling")  # the header line
    elif mode == "xlsx-job":
        rows = _as_job(exporter, last_day)
    else:
        with tempfile.TemporaryFile() as target:
            write = export_xlsx if mode == "xlsx" else _openpyxl
            rows = write(exporter, target)
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "first_row_ms": (first_row or seconds) * 1000,
        "peak_mb": _peak_mb(),
    }


def _as_job(exporter: Any, last_day: str) -> int:
    """Run the export as the job path does (export_job: form, progress, temp file); return
    its data rows. Only the storage step is left out: it copies the file once."""
    from django.contrib.auth import get_user_model

    from groups.exports.jobs import export_job

    owner, _made = get_user_model().objects.get_or_create(
        username="bench-job-owner", defaults={"is_staff": True}
    )
    params = {
        "report": "detail",
        "format": "xlsx",
        "filters": {
            "branch": str(exporter.filters.root.pk),
            "date_from": FIRST_DAY.isoformat(),
            "date_to": last_day,
        },
        "today": last_day,
        "now": exporter.now.isoformat(),
    }
    reports: list[int] = []
    _name, _type, path = export_job(owner, params, lambda done, total: reports.append(done))
    os.unlink(path)
    return reports[-1]


def _raw_copy(connection: Any, exporter: Any) -> Any:
    """Yield the detail query's COPY output straight from psycopg (no Django in the loop)."""
    sql, params = exporter.copy_query()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for data in copy:
            yield bytes(data)


def _openpyxl(exporter: Any, target: Any) -> int:
    """Write the exporter's rows with openpyxl write-only (the baseline), dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("明细")
    rows = exporter.rows()
    sheet.append(next(rows))
    formats = {date: "yyyy-mm-dd", datetime: "yyyy-mm-dd hh:mm:ss"}
    count = 0
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            number_format = formats.get(type(value))
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2])))
