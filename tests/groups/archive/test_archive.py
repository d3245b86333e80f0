"""The yearly archive: the demo 党支部's year as one A4 PDF and one XLSX, read back."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfReader

from groups.archive.selectors import archive_contents
from groups.archive.services import archive_build
from groups.attendance.headcounts import percent
from groups.demo.attendance import build_demo_attendance
from groups.demo.org import build_demo_organisation
from groups.demo.sessions import build_demo_sessions
from groups.minutes import services as minutes
from groups.models import Branch, StudySession

pytestmark = pytest.mark.django_db

# A branch's year costs a fixed number of queries (the reports, the session list, the
# attachments) and then this many per session held: its record (missing members, minutes,
# headcounts) and its sign-in sheet, whatever the number of members.
FIXED_QUERIES = 30
QUERIES_PER_SESSION = 4


def photo_bytes() -> bytes:
    """Return a real 2400 × 1600 JPEG, as a phone takes them."""
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1600), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def demo_branch(settings, tmp_path) -> Branch:
    """The demo's 第一党支部, its 2026 recorded, one 支委会 with minutes, a photo and a PDF."""
    settings.MEDIA_ROOT = tmp_path
    build_demo_organisation(password="pw")
    build_demo_sessions()
    build_demo_attendance()
    branch = Branch.objects.get(code="demo-b1")
    committee = (
        StudySession.objects.filter(branch=branch, kind__code="committee_meeting")
        .exclude(status=StudySession.Status.SCHEDULED)
        .earliest("starts_at")
    )
    minutes.minutes_save(
        session=committee,
        by=None,
        topics="研究发展党员工作",
        key_points="书记传达上级精神，委员逐一发言。",
        resolutions="同意确定两名发展对象",
        vote_results="全票通过",
    )
    for name, data, content_type in [
        ("会场照片.jpg", photo_bytes(), "image/jpeg"),
        ("会议材料.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    ]:
        upload = SimpleUploadedFile(name, data, content_type)
        minutes.attachment_add(session=committee, upload=upload, by=None)
    return branch


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_demo_branch_archive_reads_back(demo_branch, tmp_path):
    steps: list[tuple[int, int]] = []
    with CaptureQueriesContext(connection) as queries:
        pdf, xlsx = archive_build(
            branch=demo_branch, year=2026, progress=lambda done, total: steps.append((done, total))
        )
    archive = archive_contents(branch=demo_branch, year=2026)
    held = archive.sessions
    assert len(held) == 19
    assert len(queries) <= FIXED_QUERIES + QUERIES_PER_SESSION * len(held)
    # A step per session rendered, then the typesetting and the workbook.
    assert steps == [(done, len(held) + 2) for done in range(1, len(held) + 3)]

    path = tmp_path / "archive.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))  # a valid PDF: pypdf parses every page
    pages = len(reader.pages)
    assert 40 <= pages <= 150
    images = subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "page")], check=True
    )
    assert images.returncode == 0
    assert len(list(tmp_path.glob("page-*.png"))) == pages

    # The cover and its figures, then the table of contents with the page of each entry.
    cover = pdf_text(path, 1, 1)
    assert "第一党支部" in cover and "2026" in cover
    total = archive.compliance.total
    assert f"{percent(total.completion)}%（{total.counted}/{total.required}）" in cover
    toc = pdf_text(path, 2, 3)
    entries = dict(re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", toc, re.MULTILINE))
    sections = ["各类组织生活开展情况", "组织生活台账", "党员×月份考勤表", "会议记录和签到表"]
    assert list(entries)[:4] == sections
    first_session = f"{held[0].starts_at:%Y-%m-%d} {held[0].title}"
    assert first_session.replace(" ", "") in [e.replace(" ", "") for e in entries]
    assert len(entries) == 4 + len(held)
    # Each entry points at the page where its section starts, in order.
    numbers = [int(n) for n in entries.values()]
    assert numbers == sorted(numbers) and numbers[-1] <= pages
    ledger_page = int(entries["组织生活台账"])
    assert "组织生活台账" in pdf_text(path, ledger_page, ledger_page)

    text = pdf_text(path)
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text  # page numbers
    # Each session's record and sign-in sheet, under their spaced-out titles.
    assert len(re.findall(r"^\s*会\s*议\s*记\s*录\s*$", text, re.MULTILINE)) == len(held)
    assert len(re.findall(r"^\s*签\s*到\s*表\s*$", text, re.MULTILINE)) == len(held)
    # The minutes and both attachments: the photo drawn, the PDF named.
    assert "同意确定两名发展对象" in text and "会议材料.pdf" in text
    photo_pages = [p for p in reader.pages if "会场照片.jpg" in p.extract_text()]
    assert photo_pages and photo_pages[0].images
    width = photo_pages[0].images[0].image.width
    assert width <= 800  # scaled down, not the phone's 2400 pixels

    # The workbook: the same tables, with the report's numbers.
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["汇总", "党组织", "台账", "党员×月份"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["党组织"] == "第一党支部" and summary["实开次数"] == len(held)
    branches = list(book["党组织"].iter_rows(values_only=True))
    assert branches[1][0] == "第一党支部"
    assert float(branches[1][branches[0].index("完成率（%）")]) == float(percent(total.completion))
    ledger = list(book["台账"].iter_rows(values_only=True))
    assert len(ledger) == 1 + len(held)
    assert [row[6] for row in ledger[1:]] == [s.topic for s in held]
    matrix = list(book["党员×月份"].iter_rows(values_only=True))
    assert len(matrix) == 1 + len(archive.matrix.rows)
