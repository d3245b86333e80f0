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
