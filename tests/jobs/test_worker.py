"""Jobs through a real Celery worker: Redis db 1 as broker, the PostgreSQL test database.

The worker is `celery -A studyhub worker` in a subprocess, on a queue of this test run's
own, so it sees the rows these transactional tests commit. A 200,000-row XLSX detail runs
as a job: its progress moves, its owner downloads it, nobody else can. Then the worker's
pool process is killed (SIGKILL) mid-job: the task comes back (acks late) and the job is
run again to done; and with the whole worker killed, the sweep marks it failed.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from bench.exports_bench import BRANCH_CODE, FIRST_DAY, MEMBERS, generate
from groups import conf
from groups.models import Branch
from studyhub.celery import app
from studyhub.jobs import services
from studyhub.models import Job
from tests.conftest import make_user

BROKER = "redis://127.0.0.1:6379/1"
ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 200  # × 1,000 members: 200,000 rows


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not _redis_up(), reason=f"Redis is not reachable at {BROKER}"),
]


@pytest.fixture
def queue() -> Iterator[str]:
    """Send the tasks of this test to a queue of its own, on Redis, not in process."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can open: set DATABASE_URL to PostgreSQL")
    name = f"studyhub-test-{uuid.uuid4().hex[:8]}"
    saved = {
        key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")
    }
    app.conf.update(broker_url=BROKER, task_always_eager=False, task_default_queue=name)
    _reset_connections()
    yield name
    app.conf.update(saved)
    _reset_connections()
    import redis

    redis.Redis.from_url(BROKER).delete(name)


def _reset_connections() -> None:
    """Drop the app's broker connections, so the next task is sent to the broker now set."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def start_worker(queue: str) -> subprocess.Popen:
    settings = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_BROKER_URL": BROKER,
        "DATABASE_URL": (
            f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
        "STUDYHUB_EXPORT_JOB_ROWS": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", "studyhub", "worker", "-Q", queue]
    command += ["--concurrency=1", "--pool=prefork", "--loglevel=WARNING", "--without-mingle"]
    command += ["--without-gossip", "--without-heartbeat", "-n", f"{queue}@%h"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)


def wait_for(predicate, seconds: float, what: str) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get()
        if predicate(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}: {Job.objects.values().get()}")


@pytest.fixture
def export_request(client, queue, monkeypatch):
    """Return a function asking for the 200,000-row detail XLSX as staff (a job)."""
    generate(sessions=SESSIONS)
    monkeypatch.setattr(conf, "EXPORT_JOB_ROWS", 10_000)
    owner = make_user("owner", is_staff=True)
    client.force_login(owner)
    root = Branch.objects.get(code=BRANCH_CODE)
    last = FIRST_DAY + timedelta(days=SESSIONS - 1)

    def ask():
        query = {"report": "detail", "format": "xlsx", "branch": root.pk}
        query |= {"date_from": FIRST_DAY.isoformat(), "date_to": last.isoformat()}
        started = time.monotonic()
        response = client.get(reverse("groups:report-export"), query)
        assert time.monotonic() - started < 1, "the request waited for the export"
        assert response.status_code == 302
        return response

    return ask


def test_a_200000_row_export_runs_on_a_worker_with_progress(export_request, queue, client):
    worker = start_worker(queue)
    try:
        response = export_request()
        seen = set()
        job = wait_for(lambda j: seen.add(j.done) or j.status == "done", 90, "the job to finish")
    finally:
        stop(worker)
    assert job.total == SESSIONS * MEMBERS
    assert len({done for done in seen if 0 < done < job.total}) >= 2, seen  # it moved
    page = client.get(response["Location"]).content.decode()
    assert "data-job-download" in page
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    assert book["明细"].max_row == 1 + SESSIONS * MEMBERS
    client.force_login(make_user("other"))
    assert client.get(reverse("jobs:job-download", args=[job.pk])).status_code == 404


def test_a_job_whose_worker_process_is_killed_is_run_again(export_request, queue):
    worker = start_worker(queue)
    try:
        export_request()
        job = wait_for(lambda j: j.done > 0 and j.worker, 60, "the job to start")
        os.kill(int(job.worker.rsplit(":", 1)[1]), signal.SIGKILL)
        # The pool process is gone mid-job: its task is given back and a new one takes it.
        job = wait_for(lambda j: j.status == "done", 90, "the job to be run again")
    finally:
        stop(worker)
    assert job.attempts == 2 and job.result


def test_a_job_whose_whole_worker_is_killed_is_marked_failed(export_request, queue):
    worker = start_worker(queue)
    try:
        export_request()
        wait_for(lambda j: j.done > 0, 60, "the job to start")
    finally:
        stop(worker)  # SIGKILL to the worker and its pool: nothing is left to give it back
    job = Job.objects.get()
    assert job.status == "running"
    # The worker's clock is the machine's, not this test's frozen one: count from its report.
    assert services.jobs_sweep_stale(now=job.heartbeat_at + timedelta(minutes=1)) == 0
    assert services.jobs_sweep_stale(now=job.heartbeat_at + timedelta(minutes=16)) == 1
    job = Job.objects.get()
    assert job.status == "failed" and job.error


def test_a_roster_import_is_confirmed_on_a_worker_with_each_rows_result(client, queue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from groups.models import BranchKind, Member
    from tests.groups.factories import add_branch

    committee = add_branch("县直机关党委", "c", BranchKind.COMMITTEE)
    add_branch("第一党支部", "a", BranchKind.BRANCH, committee)
    lines = ["姓名,人员类别,所在支部"] + [f"党员{n:04d},正式党员,第一党支部" for n in range(3000)]
    roster = SimpleUploadedFile("名册.csv", "\r\n".join(lines).encode("utf-8-sig"))
    client.force_login(make_user("owner", is_staff=True))
    client.post(reverse("groups:roster-import", args=[committee.pk]), {"file": roster})
    preview = reverse("groups:roster-import-preview", args=[committee.pk])
    worker = start_worker(queue)
    try:
        started = time.monotonic()
        response = client.post(preview, {"confirm": "1"})
        assert time.monotonic() - started < 1, "the request waited for the import"
        assert not Member.objects.exists()  # queued, not done in the request
        job = wait_for(lambda j: j.status == "done", 90, "the import to finish")
    finally:
        stop(worker)
    assert Member.objects.filter(branch__code="a").count() == 3000
    assert "新增 3000 人" in client.get(response["Location"]).content.decode()
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    rows = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 3001 and rows[-1] == "3001,党员2999,第一党支部,新增"
