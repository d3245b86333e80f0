"""The Django admin: every model is registered and its list and form pages open for staff."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OURS = ("lessons", "groups")


def our_models():
    return [
        model
        for label in OURS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")  # simple-history's shadow tables
        and model not in inline_models()
    ]


def inline_models() -> set[type]:
    """Return the models edited inside their parent's admin page."""
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


def test_every_model_is_in_the_admin():
    missing = [m.__name__ for m in our_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_admin_pages_open(admin_client, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)  # some records are made only by the app itself


@pytest.mark.django_db
def test_the_organisation_department_role_holds_every_permission_of_ours():
    from django.contrib.auth.models import Group, Permission

    from groups.permissions import ORGANISATION_DEPARTMENT

    held = set(Group.objects.get(name=ORGANISATION_DEPARTMENT).permissions.all())
    ours = set(Permission.objects.filter(content_type__app_label__in=OURS))
    # A new model's permissions are granted by its migration, or this fails.
    assert ours - held == set()
    assert not any(p.codename.endswith("_permission") for p in held)


@pytest.mark.django_db
def test_the_demo_organisation_department_opens_every_admin_page(client):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("load_demo", "--password", "demo-pass", stdout=StringIO())
    client.force_login(get_user_model().objects.get(username="staff"))
    refused = []
    for model in our_models():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if client.get(url).status_code != 200:
            refused.append(model.__name__)
    assert refused == []
    # Users (logins for members) too, but not the groups that grant permissions.
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
