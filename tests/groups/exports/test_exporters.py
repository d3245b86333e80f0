"""Attendance exports: every file opened back and compared with the database.

On the hand-built record of factories_reports (2025, 第一党支部 and 第二党支部), the detail
has one row per expected member per session held; the reports' rows are the selectors'.
"""

from __future__ import annotations

import csv
import datetime
import io
from datetime import date, time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from groups import conf
from groups.exports.exporters import EXPORTERS, DetailExporter
from groups.exports.writers import (
    content_disposition,
    export_csv_chunks,
    export_xlsx,
    iter_copy_csv,
    iter_csv,
    xlsx_write,
)
from groups.models import Attendance, MakeUpStudy
from groups.reports.branches import branch_report
from groups.reports.filters import ReportFilters
from groups.reports.ledger import ledger_rows
from groups.reports.matrix import matrix_report
from groups.reports.members import member_rows
from studyhub.models import Job
from tests.groups.factories import YEAR, build_record, local, make_session

# Labels and headers are asserted in English: their Chinese comes with the lead's catalogue.
pytestmark = pytest.mark.django_db

D = date


def naive(day: date, at: time = time(0)) -> datetime.datetime:
    """Return the naive datetime an XLSX date cell reads back as."""
    return datetime.datetime.combine(day, at)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def record(org):
    record = build_record(org)
    li_ming = Attendance.objects.get(session=record.sessions["S1"], member=org.member_a)
    li_ming.checked_in_at = local(D(YEAR, 1, 10), time(14, 25, 7))
    li_ming.note = "带病参加"
    li_ming.save()
    return record


def year(org, **extra) -> ReportFilters:
    return ReportFilters(start=D(YEAR, 1, 1), end=D(YEAR, 12, 31), root=org.committee, **extra)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel and WPS need to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def csv_bytes(exporter) -> bytes:
    return b"".join(
        chunk.encode() if isinstance(chunk, str) else chunk
        for chunk in export_csv_chunks(exporter, fast=False)
    )


def xlsx_book(exporter):
    buffer = io.BytesIO()
    export_xlsx(exporter, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def expected_detail() -> list[list[str]]:
    """Build the detail rows from model instances, the slow way, to compare with the file."""
    zone = timezone.get_default_timezone()
    rows = []
    held = (
        Attendance.objects.exclude(session__status="cancelled")
        .select_related("session__branch", "session__kind", "member_branch", "member", "category")
        .order_by("session__starts_at", "session_id", "member_branch__path", "member__name")
    )
    for a in held:
        starts, ends = a.session.starts_at.astimezone(zone), a.session.ends_at.astimezone(zone)
        makeup = MakeUpStudy.objects.filter(attendance=a).first()
        state = ""
        if makeup:
            state = "confirmed" if makeup.confirmed_at else "submitted"
        checked = a.checked_in_at.astimezone(zone) if a.checked_in_at else None
        rows.append(
            [
                a.session.branch.name,
                a.member_branch.name,
                a.member.name,
                a.category.name,
                f"{starts:%Y-%m-%d}",
                f"{starts:%H:%M}",
                f"{ends:%H:%M}",
                a.session.kind.label,
                a.session.topic,
                a.get_status_display() if a.status else "",
                f"{checked:%Y-%m-%d %H:%M:%S}" if checked else "",
                a.note,
                state,
            ]
        )
    return rows


DETAIL_HEADER = [
    "Branch",
    "Party group",
    "Member",
    "Category",
    "Date",
    "Start",
    "End",
    "Kind",
    "Topic",
    "Status",
    "Checked in at",
    "Note",
    "Make-up study",
]


# --- The detail -----------------------------------------------------------------------


def test_detail_csv_is_the_database_row_for_row(record):
    rows = read_csv(csv_bytes(DetailExporter(year(record.org))))
    assert rows[0] == DETAIL_HEADER
    assert rows[1:] == expected_detail()
    # 9 sessions held (S4 was cancelled) × their expected members.
    assert len(rows) - 1 == 25
    # S1 in file order: the 党支部's own member, then the 党小组's, by name.
    assert [r[1:3] for r in rows[1:4]] == [["第一党支部", "张伟"], ["第一党小组", "孙丽"]] + [
        ["第一党小组", "李明"]
    ]
    li_ming = rows[3]
    assert li_ming[0] == "第一党支部"
    assert li_ming[3:7] == ["正式党员", "2025-01-10", "14:30", "16:00"]
    assert li_ming[9:] == ["present", "2025-01-10 14:25:07", "带病参加", ""]
    sun_li = next(r for r in rows if r[2] == "孙丽" and r[4] == "2025-01-10")
    assert sun_li[9:] == ["absent", "", "", "confirmed"]


def test_detail_filters_by_kind_category_and_period(record):
    from groups.models import MemberCategory, SessionKind

    themed = SessionKind.objects.get(code="themed_day")
    probationary = MemberCategory.objects.get(code=MemberCategory.PROBATIONARY)
    march = ReportFilters(
        start=D(YEAR, 3, 1), end=D(YEAR, 3, 31), root=record.org.branch_a, kinds=(themed,)
    )
    rows = read_csv(csv_bytes(DetailExporter(march)))[1:]
    assert {(r[2], r[4], r[9]) for r in rows} == {
        ("李明", "2025-03-14", "absent"),
        ("张伟", "2025-03-14", "present"),
        ("赵强", "2025-03-14", "excused"),
    }
    only = DetailExporter(year(record.org, categories=(probationary,)))
    assert {r[2] for r in read_csv(csv_bytes(only))[1:]} == {"赵强"}


def test_detail_count_matches_the_rows(record):
    exporter = DetailExporter(year(record.org))
    assert exporter.count() == len(list(exporter.rows())) - 1 == 25


TRIGGERS = ["=1+2", "+86 138", "-2", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_cells_that_look_like_formulas_are_neutralised(record, text):
    session = record.sessions["S1"]
    session.topic = text
    session.save()
    Attendance.objects.filter(session=session, member=record.org.member_a).update(note=text)
    exporter = DetailExporter(year(record.org))
    row = read_csv(csv_bytes(exporter))[3]  # 李明 at S1
    assert row[2] == "李明"
    assert row[8] == row[11] == "'" + text
    sheet = xlsx_book(DetailExporter(year(record.org)))["Detail"]
    assert sheet["C4"].value == "李明"
    # A CR is stored as OOXML's escape _x000D_, which Excel decodes and openpyxl does not.
    topic, note = (sheet[c].value.replace("_x000D_", "\r") for c in ("I4", "L4"))
    assert topic == note == "'" + text
    assert sheet["I4"].data_type == "s"  # text, never a formula


def test_harmless_text_is_left_alone():
    data = "".join(iter_csv([["a"], ["1-2"], ["x=1"], ["李 明"], ["a,b"], ['q"']]))
    assert read_csv(data.encode()) == [["a"], ["1-2"], ["x=1"], ["李 明"], ["a,b"], ['q"']]


def test_detail_xlsx_has_a_summary_real_dates_and_a_frozen_header(record):
    book = xlsx_book(DetailExporter(year(record.org)))
    assert book.sheetnames == ["Summary", "Detail"]
    sheet = book["Detail"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == DETAIL_HEADER
    first = rows[3]  # 李明 at S1
    assert first[2] == "李明"
    assert isinstance(first[4], datetime.datetime)  # a real date cell
    assert first[4] == naive(D(YEAR, 1, 10))
    assert first[5] == time(14, 30) and first[6] == time(16, 0)
    assert first[10] == naive(D(YEAR, 1, 10), time(14, 25, 7))
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    text = [["" if v is None else v for v in r] for r in rows[1:]]
    expected = expected_detail()
    assert [r[:4] + r[7:10] + r[11:] for r in text] == [r[:4] + r[7:10] + r[11:] for r in expected]
    assert sheet.column_dimensions["I"].width > 10  # the topic column is widened
    summary = dict(book["Summary"].iter_rows(values_only=True))
    assert summary["Branch"] == "县直机关党委"
    assert summary["From"] == naive(D(YEAR, 1, 1))
    assert summary["Rows"] == 25
    statuses = dict(
        Attendance.objects.exclude(session__status="cancelled")
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    assert summary["present"] == statuses["present"]
    assert summary["absent"] == statuses["absent"]
    assert summary["not recorded"] == statuses[""]


def test_sheets_split_past_the_per_sheet_limit():
    rows = [["n", "day"], *([n, D(2025, 1, n)] for n in range(1, 6))]
    buffer = io.BytesIO()
    written = xlsx_write(buffer, rows, sheet_title="明细", max_rows_per_sheet=2)
    book = load_workbook(buffer)
    assert written == 5
    assert book.sheetnames == ["明细", "明细 (2)", "明细 (3)"]
    contents = [[r[0] for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]
    assert contents == [["n", 1, 2], ["n", 3, 4], ["n", 5]]
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)


# --- The reports ----------------------------------------------------------------------


def test_members_export_is_the_member_report(record):
    filters = year(record.org)
    rows = read_csv(csv_bytes(EXPORTERS["members"](filters)))
    assert rows[0][:3] == ["Party group", "Member", "Category"]
    by_name = {(r[0], r[1]): r for r in rows[1:]}
    selected = member_rows(filters)
    assert len(rows) - 1 == len(selected)
    for member in selected:
        row = by_name[(member.group, member.name)]
        assert row[3:11] == [
            str(n)
            for n in (
                member.expected,
                member.attended,
                member.present,
                member.late,
                member.excused,
                member.absent,
                member.not_recorded,
                member.makeup_done,
            )
        ]
    li_ming = next(r for r in rows if r[1] == "李明")
    assert li_ming[3:5] == ["5", "4"] and li_ming[-1] == "80.0"  # 4 of 5 attended


def test_ledger_export_xlsx(record):
    filters = year(record.org)
    book = xlsx_book(EXPORTERS["ledger"](filters))
    assert book.sheetnames == ["Summary", "Ledger"]
    sheet = book["Ledger"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))[1:]
    selected = ledger_rows(filters)
    assert [(r[0].date(), r[4], r[9], r[10]) for r in rows] == [
        (s.day, s.kind, s.expected, s.attended) for s in selected
    ]
    s2 = next(r for r in rows if r[0].date() == D(YEAR, 1, 24))
    assert s2[16] == "张伟" and s2[17] == "孙丽"  # excused, absent


def test_matrix_and_branches_exports(record):
    filters = year(record.org)
    matrix = read_csv(csv_bytes(EXPORTERS["matrix"](filters)))
    assert matrix[0][3:5] == ["2025-01", "2025-02"]
    li_ming = next(r for r in matrix if r[1] == "李明")
    report = matrix_report(filters)
    row = next(r for r in report.rows if r.name == "李明")
    assert li_ming[3:] == [cell.text for cell in row.cells]
    branches = read_csv(csv_bytes(EXPORTERS["branches"](filters)))
    assert branches[1][0] == "县直机关党委"
    assert branches[2][0] == "　第一党支部"  # indented one level
    assert len(branches[0]) == 12 + 12 * len(branch_report(filters).kinds)


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("identifier", sorted(EXPORTERS))
def test_query_count_does_not_grow_with_the_rows(record, identifier):
    from tests.groups.factories import grow_organisation

    filters = year(record.org)
    with CaptureQueriesContext(connection) as small:
        list(EXPORTERS[identifier](filters).rows())
    grown = grow_organisation(record.org.branch_a, branches=3, members=30)
    make_sessions_snapshot(grown)
    with CaptureQueriesContext(connection) as big:
        rows = list(EXPORTERS[identifier](filters).rows())
    assert len(rows) > 1
    assert len(big) == len(small), [q["sql"][:80] for q in big]


def make_sessions_snapshot(branches):
    """Snapshot the grown sessions so the detail has many more rows."""
    from groups.attendance.services import attendance_snapshot_missing

    attendance_snapshot_missing()
    return branches


# --- Streaming and file names ---------------------------------------------------------


def test_csv_streams_its_header_before_any_query(record, django_assert_num_queries):
    chunks = iter_csv(DetailExporter(year(record.org)).rows())
    with django_assert_num_queries(0):
        first = next(chunks)
    assert first.startswith("\ufeffBranch,Party group,")
    assert first.endswith("\n") and first.count("\n") == 1


def test_content_disposition_carries_chinese_and_an_ascii_fallback():
    header = content_disposition("第一党支部-考勤明细-20250101-20251231.csv", ascii_name="a.csv")
    assert header == (
        "attachment; filename=\"a.csv\"; filename*=UTF-8''"
        "%E7%AC%AC%E4%B8%80%E5%85%9A%E6%94%AF%E9%83%A8-%E8%80%83%E5%8B%A4%E6%98%8E%E7%BB%86"
        "-20250101-20251231.csv"
    )
    assert content_disposition("花名册.csv").startswith('attachment; filename="export.csv";')


def download(client, branch, report: str, file_format: str, *, to: str = "12-31"):
    """GET the export view for a branch from the start of YEAR to the given day."""
    query = {"report": report, "format": file_format, "branch": branch.pk}
    query |= {"date_from": f"{YEAR}-01-01", "date_to": f"{YEAR}-{to}"}
    return client.get(reverse("groups:report-export"), query)


def test_download_view_streams_csv_named_for_branch_and_period(record, login):
    response = download(login("secretary_a"), record.org.branch_a, "detail", "csv", to="03-31")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert 'filename="a-detail-20250101-20250331.csv"' in disposition
    assert "filename*=UTF-8''%E7%AC%AC%E4%B8%80%E5%85%9A%E6%94%AF%E9%83%A8-" in disposition
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"\xef\xbb\xbfBranch,")  # before the rest is read
    rows = read_csv(b"\xef\xbb\xbf" + b"".join(chunks))
    assert {r[2] for r in rows} == {"李明", "张伟", "孙丽", "赵强"}


def test_download_view_xlsx(record, login):
    response = download(login("staff"), record.org.committee, "ledger", "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Summary", "Ledger"]
    assert book["Ledger"].max_row == 1 + 8  # S4 was cancelled


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_over_the_threshold_becomes_a_job(
    record, login, monkeypatch, file_format, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(conf, "EXPORT_JOB_ROWS", 10)
    client = login("staff")
    with django_capture_on_commit_callbacks(execute=True):
        response = download(client, record.org.committee, "detail", file_format)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert (job.status, job.done, job.total) == ("done", 25, 25)
    file = client.get(reverse("jobs:job-download", args=[job.pk]))
    content = b"".join(file.streaming_content)
    if file_format == "csv":
        rows = read_csv(content)
    else:
        rows = list(load_workbook(io.BytesIO(content))["Detail"].iter_rows(values_only=True))
    assert len(rows) == 1 + 25
    # The file speaks the language of the page the export was asked from (English here).
    assert rows[0][2] == "Member" and "李明" in {r[2] for r in rows[1:]}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"report": "nope"}, "Unknown report"),
        ({"report": "detail", "format": "pdf"}, "Unknown file format"),
        (
            {"report": "detail", "date_from": "2025-05-01", "date_to": "2025-04-01"},
            "The end of the period comes before its start.",
        ),
        ({"report": "detail", "date_from": "2025-13-01"}, "Enter a valid date."),
        ({"report": "detail", "branch": "999999"}, "Choose a branch you manage"),
    ],
)
def test_bad_filters_get_a_400_with_the_reason(record, login, query, message):
    response = login("secretary_a").get(reverse("groups:report-export"), query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_branch_outside_scope_is_refused(record, login):
    response = login("secretary_b").get(
        reverse("groups:report-export"), {"report": "detail", "branch": record.org.branch_a.pk}
    )
    assert response.status_code == 400
    assert "Choose a branch you manage" in response.content.decode()


# --- The command ----------------------------------------------------------------------


def test_command_writes_csv_and_xlsx(record, tmp_path):
    out = tmp_path / "detail.csv"
    call_command(
        "export_attendance",
        *("--branch", "c", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31"),
        *("--format", "csv", "--output", str(out)),
    )
    assert read_csv(out.read_bytes())[1:] == expected_detail()
    book_path = tmp_path / "members.xlsx"
    call_command(
        "export_attendance",
        *("--branch", "a", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31"),
        *("--format", "xlsx", "--output", str(book_path), "--report", "members"),
    )
    book = load_workbook(book_path)
    assert book.sheetnames == ["Summary", "Members"]
    names = [r[1] for r in book["Members"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["李明", "张伟", "孙丽", "赵强"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--branch", "nope", "--from", "2025-01-01", "--to", "2025-12-31"], "No branch"),
        (["--branch", "a", "--from", "2025-02-30", "--to", "2025-12-31"], "not a date"),
        (["--branch", "a", "--from", "2025-12-01", "--to", "2025-01-31"], "comes after"),
        (["--branch", "a", "--from", "2025-01-01", "--to", "2025-12-31", "--kind", "x"], "x"),
        (["--branch", "a", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "pdf"], "pdf"),
    ],
)
def test_command_refuses_bad_arguments(record, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_attendance", *args, "--output", str(tmp_path / "x.csv"))


# --- PostgreSQL: COPY gives the same bytes --------------------------------------------


def test_copy_path_gives_the_same_bytes_as_the_portable_path(record):
    if connection.vendor != "postgresql":
        pytest.skip("COPY … TO STDOUT needs PostgreSQL (set DATABASE_URL to a postgres:// URL)")
    session = record.sessions["S1"]
    session.topic = '=HYPERLINK("x"), "引号"\r\n第二行'
    session.save()
    Attendance.objects.filter(session=session, member=record.org.member_a).update(
        note="\tnote, with comma"
    )
    make_session(record.org.branch_a, starts_at=local(D(YEAR, 4, 1)), topic="")
    exporter = DetailExporter(year(record.org))
    portable = csv_bytes(exporter)
    fast = b"".join(
        c.encode() if isinstance(c, str) else c
        for c in iter_copy_csv(DetailExporter(year(record.org)))
    )
    assert fast == portable
    assert len(read_csv(fast)) == 1 + exporter.count()
