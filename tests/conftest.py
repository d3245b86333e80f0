"""Shared fixtures: the personas every view test uses, and fast test settings."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model

from tests.csp import PolicyCheckingClient

SAMPLE_LECTURE = (
    Path(__file__).resolve().parent.parent
    / "lessons"
    / "data"
    / "lecture-2020-organisation-line.txt"
)


# "Now" for every test: a Tuesday afternoon in Asia/Shanghai with no public holiday for weeks,
# so "tomorrow 14:30" is less than a day away. Tests that need another instant say so with
# @pytest.mark.now("2026-12-31T23:55+08:00"); the clock ticks on from there.
NOW = datetime.datetime(2026, 11, 10, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen_now(request) -> Iterator[datetime.datetime]:
    """Start every test at NOW (or its `now` marker), whatever the wall clock says."""
    marker = request.node.get_closest_marker("now")
    now = datetime.datetime.fromisoformat(marker.args[0]) if marker else NOW
    with time_machine.travel(now, tick=True):
        yield now


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Data that migrations seed; a transactional test's flush empties these tables for the next.
MIGRATION_SEEDS = [
    ("groups.migrations.0001_organisation", "seed_kinds_and_categories"),
    ("groups.migrations.0003_seed_session_kinds", "seed_session_kinds"),
    ("groups.migrations.0007_session_kind_expected_categories", "seed_expected_categories"),
    ("groups.migrations.0013_organisation_department_role", "grant"),
    ("groups.migrations.0016_organisation_department_removes_devices", "grant"),
]


@pytest.fixture(autouse=True)
def _migration_seeds_after_flush(request):
    """Put the seeded kinds and categories back before a transactional test (idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    for module, seed in MIGRATION_SEEDS:
        getattr(importlib.import_module(module), seed)(apps, None)


@pytest.fixture
def client() -> PolicyCheckingClient:
    """pytest-django's client, but every response must carry the strict Content-Security-Policy:
    so each permission crawl (tests/groups/**/test_permissions.py) checks it on every URL for
    every persona, 403s, 404s and redirects included."""
    return PolicyCheckingClient()


@pytest.fixture
def admin_client(admin_user) -> PolicyCheckingClient:
    """pytest-django's admin client, checking every admin page's policy the same way."""
    checking = PolicyCheckingClient()
    checking.force_login(admin_user)
    return checking


@pytest.fixture
def sample_bytes() -> bytes:
    return SAMPLE_LECTURE.read_bytes()


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(
        username=username, password="pw-" + username, **extra
    )


@pytest.fixture
def staff(db):
    """组织部: site staff who import lectures and curate key terms."""
    return make_user("staff", is_staff=True, first_name="组织部")


@pytest.fixture
def member(db):
    """An ordinary member who reads lectures."""
    return make_user("member", first_name="党员")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
