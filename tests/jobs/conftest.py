"""The organisation personas of tests/groups, for the job pages' tests."""

from tests.groups.conftest import login, org, persona  # noqa: F401
