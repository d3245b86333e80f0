"""Shared fixtures: the personas every view test uses, and fast test settings."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

SAMPLE_LECTURE = (
    Path(__file__).resolve().parent.parent
    / "lessons"
    / "data"
    / "lecture-2020-organisation-line.txt"
)


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
