"""Shared fixtures: the personas every view test uses, and fast test settings."""

from __future__ import annotations

from pathlib import Path

import pytest
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
