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
