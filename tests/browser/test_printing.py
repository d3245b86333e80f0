"""What the 组织部 and the 记录本 get on paper: each print view printed to PDF and read back.

Chromium prints with the pages' own @page rules (prefer_css_page_size); pypdf reads each
page's size and text, so a column cut off at the page edge is a column missing from the text.
"""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from groups.minutes.services import minutes_save
from groups.models import Branch, StudySession
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_every_page import DESKTOP, secretary_in_chinese

A4 = (595, 842)  # points, portrait


def printed(page, url: str, name: str) -> list[str]:
    """Print url to PDF (saved in test-artifacts/) and return each A4 page's text."""
    page.goto(url)
    page.emulate_media(media="print")
    page.screenshot(path=ARTIFACTS / f"print-{name}.png", full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / f"print-{name}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    for sheet in reader.pages:
        size = sorted(round(float(v)) for v in (sheet.mediabox.width, sheet.mediabox.height))
        assert size == list(A4), size
    # NFKC: the PDF's CJK fonts map some characters to Kangxi radicals (⼀ for 一), and
    # full-width punctuation reads back as ASCII. Compare with text() of the same.
    return [text(" ".join(sheet.extract_text().split())) for sheet in reader.pages]


def text(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


@pytest.fixture
def secretary(live_server, chromium):
    call_command("load_demo", "--password", "demo-pass", stdout=io.StringIO())
    context, axe, page = secretary_in_chinese(chromium, live_server, DESKTOP)
    yield page
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_years_branch_report_prints_every_month_and_the_completion(live_server, secretary):
    year = timezone.localdate().year
    query = f"date_from={year}-01-01&date_to={year}-12-31"
    url = f"{live_server.url}{reverse('groups:report-branches-print')}?{query}"
    sheets = printed(secretary, url, "branches-year")
    text = " ".join(sheets)
    for month in range(1, 13):
        assert f"{year}-{month:02d}" in text, f"{year}-{month:02d} is cut off"
    assert "完成率" in sheets[-1] and "出勤率" in sheets[-1]
    # Each page names the branches it counts: a page read alone still says whose numbers.
    assert all("第一党支部" in sheet for sheet in sheets)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_ledger_prints_within_the_page(live_server, secretary):
    year = timezone.localdate().year
    query = f"date_from={year}-01-01&date_to={year}-12-31"
    sheets = printed(
        secretary, f"{live_server.url}{reverse('groups:report-ledger-print')}?{query}", "ledger"
    )
    # The rightmost column, the rate, is on the page, header and figures.
    assert "出勤率" in sheets[0] and "%" in sheets[0]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_meeting_record_keeps_its_signature_lines_with_the_record(live_server, secretary):
    branch = Branch.objects.get(name="第一党支部")
    session = (
        StudySession.objects.filter(branch=branch, starts_at__lt=timezone.now())
        .exclude(status=StudySession.Status.CANCELLED)
        .latest("starts_at")
    )
    # Long enough key points that the record runs onto a second sheet.
    minutes_save(
        session=session,
        by=None,
        topics="一、学习新时代党的组织路线\n二、讨论发展党员",
        key_points="\n".join(f"{n}. 同志发言，结合工作实际谈体会。" * 3 for n in range(1, 34)),
        resolutions="同意将两名同志列为发展对象。",
        vote_results="应到15人，实到13人，同意13票。",
    )
    url = f"{live_server.url}{reverse('groups:minutes-record', args=[session.pk])}"
    sheets = printed(secretary, url, "meeting-record")
    assert len(sheets) >= 2
    signed = [sheet for sheet in sheets if text("记录人（签名）") in sheet]
    assert len(signed) == 1 and "表决结果" in signed[0] and "同意13票" in signed[0]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_sign_in_sheet_lists_everyone_expected(live_server, secretary):
    session = (
        StudySession.objects.filter(branch__name="第一党支部", starts_at__gt=timezone.now())
        .exclude(status=StudySession.Status.CANCELLED)
        .earliest("starts_at")
    )
    url = f"{live_server.url}{reverse('groups:attendance-signin-sheet', args=[session.pk])}"
    sheet = " ".join(printed(secretary, url, "sign-in-sheet"))
    names = session.attendance.values_list("member__name", flat=True)
    assert len(names) >= 10
    assert [name for name in names if text(name) not in sheet] == []
