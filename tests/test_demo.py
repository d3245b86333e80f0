"""`load_demo`, which `make run` calls every time: it must be safe to run again."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from groups.models import Branch, Member
from lessons.models import KeyTerm, Lecture, Section

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = [get_user_model(), Member, Branch, Lecture, Section, KeyTerm]
    return {model.__name__: model.objects.count() for model in models}


def test_load_demo_twice_changes_nothing_and_the_logins_work(capsys):
    call_command("load_demo", "--password", "demo-pass")
    first = counts()
    call_command("load_demo", "--password", "demo-pass")
    assert counts() == first
    assert first["Lecture"] == 1 and first["Member"] >= 50
    for username in ["staff", "secretary", "member", "outsider"]:
        assert get_user_model().objects.get(username=username).check_password("demo-pass")
    assert get_user_model().objects.get(username="staff").is_staff
    assert "demo-pass" in capsys.readouterr().out
