"""Background jobs on the eager path (no broker): pages, downloads, failures, tidying."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from groups import conf
from studyhub.jobs import services
from studyhub.jobs.registry import JobError
from studyhub.models import Job
from tests.groups.factories import PERSONAS, make_sessions
from tests.matrix import LOGIN, assert_outcome

pytestmark = pytest.mark.django_db


def detail(job: Job) -> str:
    return reverse("jobs:job-detail", args=[job.pk])


def done_job(owner, *, name: str = "第一党支部-考勤明细.csv", content: bytes = b"a,b\n") -> Job:
    job = Job.objects.create(owner=owner, kind="export", title=name, status=Job.Status.DONE)
    job.result.save(name, ContentFile(content), save=False)
    job.result_name, job.result_type = name, "text/csv; charset=utf-8"
    job.done = job.total = 1
    job.finished_at = timezone.now()
    job.expires_at = timezone.now() + timedelta(days=7)
    job.save()
    return job


@pytest.fixture
def big_export(org, login, monkeypatch, django_capture_on_commit_callbacks):
    """A secretary's detail XLSX over the (lowered) threshold, run as a job; return the job."""
    make_sessions(org)
    monkeypatch.setattr(conf, "EXPORT_JOB_ROWS", 0)
    client = login("secretary_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("groups:report-export"),
            {"report": "detail", "format": "xlsx", "date_from": "2026-01-01"},
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(job)
    return job


def test_a_large_export_is_a_job_its_owner_watches_and_downloads(big_export, login):
    client = login("secretary_a")
    page = client.get(detail(big_export)).content.decode()
    assert "已完成" in page and "data-job-download" in page
    assert 'value="100"' in page
    # Finished: the block no longer polls.
    assert "data-hx-get" not in page
    response = client.get(reverse("jobs:job-download", args=[big_export.pk]))
    assert response.status_code == 200
    assert "第一党支部-考勤明细-20260101-20261110.xlsx" in unquote(response["Content-Disposition"])
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["明细"].iter_rows(values_only=True))
    assert rows[0][:3] == ("党组织", "党小组", "党员")
    assert "李明" in {row[2] for row in rows[1:]}
    assert len(rows) - 1 == big_export.total > 0
    listing = client.get(reverse("jobs:job-list")).content.decode()
    assert "第一党支部-考勤明细-20260101-20261110.xlsx" in listing


def test_a_running_job_polls_its_progress(org, login):
    job = Job.objects.create(
        owner=org.secretary_a.user,
        kind="export",
        title="导出",
        status="running",
        done=50,
        total=200,
    )
    client = login("secretary_a")
    page = client.get(detail(job)).content.decode()
    assert 'value="25"' in page and "50 / 200" in page
    assert f'data-hx-get="{reverse("jobs:job-progress", args=[job.pk])}"' in page
    fragment = client.get(reverse("jobs:job-progress", args=[job.pk])).content.decode()
    assert "<html" not in fragment and 'value="25"' in fragment and "data-hx-trigger" in fragment


#            anonymous member_a member_b sec_a sec_b sec_parent staff
JOB_MATRIX = [
    ("job-list", [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("job-detail", [LOGIN, 404, 404, 200, 404, 404, 200]),
    ("job-progress", [LOGIN, 404, 404, 200, 404, 404, 200]),
    ("job-download", [LOGIN, 404, 404, 200, 404, 404, 200]),
]


@pytest.mark.parametrize(
    ("name", "persona_name", "expected"),
    [
        pytest.param(name, who, expected, id=f"{name}-{who}")
        for name, row in JOB_MATRIX
        for who, expected in zip(PERSONAS, row, strict=True)
    ],
)
def test_only_the_owner_and_staff_see_a_job(org, login, name, persona_name, expected):
    job = done_job(org.secretary_a.user)
    args = [] if name == "job-list" else [job.pk]
    response = login(persona_name).get(reverse(f"jobs:{name}", args=args))
    assert_outcome(response, expected)
    if name == "job-list" and expected == 200:
        # Everyone's list is their own, staff's too.
        assert (job.title in response.content.decode()) == (persona_name == "secretary_a")


def test_a_failed_job_shows_its_message_not_a_traceback(org, login, monkeypatch):
    def broken(owner, params, progress):
        raise ValueError("internal detail")

    def refused(owner, params, progress):
        raise JobError("这个支部已不归你管理。")

    for function, message in ((broken, "后台任务失败"), (refused, "这个支部已不归你管理。")):
        monkeypatch.setattr(services, "job_function", lambda kind, f=function: f)
        job = Job.objects.create(owner=org.secretary_a.user, kind="export", title="导出")
        services.job_run(job.pk)
        job.refresh_from_db()
        assert job.status == "failed" and job.finished_at is not None
        page = login("secretary_a").get(detail(job)).content.decode()
        assert message in page and "internal detail" not in page and "Traceback" not in page


def test_a_finished_job_is_not_run_again(big_export, monkeypatch):
    finished = Job.objects.values().get(pk=big_export.pk)
    monkeypatch.setattr(services, "job_function", lambda kind: pytest.fail("ran again"))
    services.job_run(big_export.pk)
    assert Job.objects.values().get(pk=big_export.pk) == finished


def test_a_job_interrupted_too_often_is_given_up(org):
    job = Job.objects.create(
        owner=org.secretary_a.user, kind="export", title="导出", status="running", attempts=3
    )
    services.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "3" in job.error


def test_a_running_job_whose_worker_died_is_marked_failed(org):
    now = timezone.now()
    stale, alive = (
        Job.objects.create(
            owner=org.secretary_a.user,
            kind="export",
            title=title,
            status="running",
            heartbeat_at=now - timedelta(minutes=minutes),
        )
        for title, minutes in (("stale", 16), ("alive", 1))
    )
    assert services.jobs_sweep_stale(now=now) == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == "failed" and "重新" in stale.error
    assert alive.status == "running"


def test_expired_files_are_deleted_and_the_page_says_so(org, login):
    job = done_job(org.secretary_a.user)
    fresh = done_job(org.secretary_a.user)
    path = job.result.name
    assert services.jobs_delete_expired(now=timezone.now() + timedelta(days=3)) == 0
    assert services.jobs_delete_expired(now=timezone.now() + timedelta(days=8)) == 2
    assert not default_storage.exists(path)
    job.refresh_from_db()
    assert not job.result and job.status == "done"
    client = login("secretary_a")
    assert "已过期" in client.get(detail(job)).content.decode()
    assert client.get(reverse("jobs:job-download", args=[fresh.pk])).status_code == 404


@pytest.mark.parametrize("jobs", [3, 30])
def test_the_job_list_reads_a_fixed_number_of_queries(
    org, login, jobs, django_assert_max_num_queries
):
    Job.objects.bulk_create(
        Job(owner=org.secretary_a.user, kind="export", title=f"导出任务-{n}") for n in range(jobs)
    )
    client = login("secretary_a")
    # session, user, member profile (the menu), count, page of jobs
    with django_assert_max_num_queries(8):
        response = client.get(reverse("jobs:job-list"))
    assert response.content.decode().count("导出任务-") == min(jobs, 20)
