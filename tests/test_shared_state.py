"""Limits hold across worker processes: the cache and the login throttle live in the database.

(Issue 9, item 6.) Each step below runs in its own process, as gunicorn's workers do, against one
database file; a per-process cache would forget the first process's counts.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.test_project import run_manage

# A worker that gets N wrong passwords for 李 and N wrong check-in codes from one member.
WORKER = """
    from django.test import Client
    from groups.checkin import services
    client = Client(REMOTE_ADDR="203.0.113.7")
    def log_in(password):
        return client.post("/accounts/login/", {"username": "li", "password": password})
    for _ in range(WRONG):
        log_in("wrong")
        services._count_wrong_code(1, "session-7")
"""
SECOND_WORKER_THEN = """
    print("login", log_in("right-pw-1").status_code)
    try:
        services._refuse_if_locked(1, "session-7")
        print("check-in open")
    except services.CheckinError as refusal:
        print("check-in", refusal.code)
"""


@pytest.fixture
def one_database(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_LOGIN_FAILURE_LIMIT": "5",
    }
    assert run_manage("migrate", "-v0", **env).returncode == 0
    create = (
        "from django.contrib.auth.models import User;"
        "User.objects.create_user('li', password='right-pw-1')"
    )
    assert run_manage("shell", "-c", create, **env).returncode == 0
    return env


def in_a_new_process(script: str, env: dict[str, str]) -> str:
    result = run_manage("shell", "-c", textwrap.dedent(script), **env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_counts_made_in_one_worker_hold_in_another(one_database):
    in_a_new_process(WORKER.replace("WRONG", "3"), one_database)
    second = in_a_new_process(WORKER.replace("WRONG", "2") + SECOND_WORKER_THEN, one_database)
    # 3 + 2 wrong passwords reach the limit of 5; so do 3 + 2 wrong check-in codes.
    assert "login 429" in second
    assert "check-in locked" in second


# --- Files and sessions (issue 10, item 4) ------------------------------------------------

# The first web process: 王书记 logs in and attaches a photo to last week's minutes.
FIRST_WEB = """
    from datetime import timedelta
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from groups.models import BranchRole, MinutesAttachment
    from tests.groups.factories import local, make_branch, make_member, make_session, png_bytes
    branch = make_branch("第一党支部")
    make_member("王书记", branch, username="wang", role=BranchRole.Role.SECRETARY)
    session = make_session(branch, starts_at=local(timezone.localdate() - timedelta(days=7)))
    client = Client(REMOTE_ADDR="203.0.113.8")
    login = client.post("/accounts/login/", {"username": "wang", "password": "pw-wang"})
    assert login.status_code == 302, login.status_code
    photo = SimpleUploadedFile("合影.png", png_bytes(), "image/png")
    add_url = reverse("groups:minutes-attachment-add", args=[session.pk])
    added = client.post(add_url, {"file": photo})
    assert added.status_code == 302, added.status_code
    token = MinutesAttachment.objects.get().token
    print("cookie=" + client.cookies["sessionid"].value)
    print("url=" + reverse("groups:minutes-attachment", args=[token]))
"""
# The second: the same cookie, another process with nothing in memory from the first.
SECOND_WEB = """
    from django.test import Client
    from tests.groups.factories import png_bytes
    client = Client(REMOTE_ADDR="203.0.113.8")
    client.cookies["sessionid"] = "COOKIE"
    home = client.get("/")
    print("home", home.status_code, "wang" in home.content.decode())
    photo = client.get("URL")
    print("photo", photo.status_code, photo["Content-Type"])
    print("same bytes", b"".join(photo.streaming_content) == png_bytes())
    print("stranger", Client().get("URL").status_code)
"""


@pytest.mark.parametrize(
    "redis",
    [pytest.param("", id="database"), pytest.param("redis://127.0.0.1:6379/2", id="redis")],
)
def test_a_file_and_a_login_made_in_one_web_process_work_in_another(one_database, tmp_path, redis):
    env = {**one_database, "DJANGO_MEDIA_ROOT": str(tmp_path / "media"), "DJANGO_REDIS_URL": redis}
    first = dict(
        line.split("=", 1) for line in in_a_new_process(FIRST_WEB, env).splitlines() if "=" in line
    )
    script = SECOND_WEB.replace("COOKIE", first["cookie"]).replace("URL", first["url"])
    second = in_a_new_process(script, env)
    # Logged in through the first process, the secretary's cookie opens her home in the second,
    assert "home 200 True" in second
    # which streams the photo the first one stored, to her and to nobody without a login.
    assert "photo 200 image/png" in second
    assert "same bytes True" in second
    assert "stranger 302" in second
