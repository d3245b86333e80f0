"""The archive page: managers choose a year, a job builds it and they download it from the
job's page; everyone else finds nothing."""

from __future__ import annotations

import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from studyhub.models import Job
from tests.groups.factories import make_sessions

pytestmark = pytest.mark.django_db


def archive_url(org) -> str:
    return reverse("groups:branch-archive", args=[org.branch_a.pk])


def build(client, org, capture, **data):
    """Post the archive form, run its job (eager, once the transaction commits) and return the
    download of the job's page the post redirects to."""
    with capture(execute=True):
        response = client.post(archive_url(org), data)
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get(response["Location"])
    assert "data-job-download" in page.content.decode(), page.content.decode()
    return client.get(response["Location"] + "download/")


def test_a_secretary_sees_the_years_and_downloads_the_pdf(
    org, login, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    make_sessions(org)
    client = login("secretary_a")
    with django_assert_max_num_queries(12):
        page = client.get(archive_url(org))
    assert page.status_code == 200
    assert "年度档案" in page.content.decode()
    assert [y for y, _label in page.context["form"].fields["year"].choices] == [2026]

    response = build(client, org, django_capture_on_commit_callbacks, year=2026, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = unquote(response["Content-Disposition"])
    assert "第一党支部-2026年组织生活档案.pdf" in disposition
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "七月集中学习" in text and "组织生活台账" in text


def test_the_xlsx_holds_the_ledger_of_the_year(org, login, django_capture_on_commit_callbacks):
    sessions = make_sessions(org)
    client = login("secretary_parent")
    response = build(client, org, django_capture_on_commit_callbacks, year=2026, format="xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ledger = list(book["台账"].iter_rows(values_only=True))
    assert [row[6] for row in ledger[1:]] == [sessions.past.topic]


@pytest.mark.parametrize("year", ["1999", "2027", "abc", "9" * 20, ""])
def test_a_year_without_records_is_a_form_error(org, login, year):
    response = login("secretary_a").post(archive_url(org), {"year": year, "format": "pdf"})
    assert response.status_code == 400
    assert response.context["form"].errors["year"]


def test_an_unknown_format_is_a_form_error(org, login):
    response = login("secretary_a").post(archive_url(org), {"year": 2026, "format": "docx"})
    assert response.status_code == 400
    assert response.context["form"].errors["format"]


@pytest.mark.parametrize("name", ["member_a", "member_b", "secretary_b"])
def test_others_find_no_archive(org, login, name):
    assert login(name).get(archive_url(org)).status_code == 404
    posted = login(name).post(archive_url(org), {"year": 2026, "format": "pdf"})
    assert posted.status_code == 404
    assert not Job.objects.exists()


def test_the_branch_page_links_managers_to_the_archive(org, login):
    detail = reverse("groups:branch-detail", args=[org.branch_a.pk])
    assert archive_url(org) in login("secretary_a").get(detail).content.decode()
    assert archive_url(org) not in login("member_a").get(detail).content.decode()
