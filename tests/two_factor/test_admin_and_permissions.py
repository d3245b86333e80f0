"""The 组织部 removes a lost device in the admin; every two-step URL for every persona."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from groups.permissions import ORGANISATION_DEPARTMENT, must_use_second_factor
from tests.groups.factories import PERSONAS
from tests.matrix import LOGIN, REDIRECT, assert_outcome
from tests.two_factor.codes import later
from tests.two_factor.conftest import turn_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def department_staff(staff):
    """组织部 staff who are not superusers: what the admin lets them do comes from the role."""
    Group.objects.get(name=ORGANISATION_DEPARTMENT).user_set.add(staff)
    return staff


def test_the_department_removes_a_lost_device_and_its_backup_codes(
    client, member, with_app, department_staff
):
    client.force_login(department_staff)
    with later(-60):
        turn_on(client)  # staff use it too; their session is verified
    device = TOTPDevice.objects.get(user=member)
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert listing.status_code == 200 and "member" in listing.content.decode()
    # A device is only ever made by its owner, and its secret is never shown.
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    detail = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert detail.status_code == 200 and device.key not in detail.content.decode()
    assert "qrcode" not in detail.content.decode()
    backup = StaticDevice.objects.get(user=member)
    codes_page = client.get(reverse("admin:otp_static_staticdevice_change", args=[backup.pk]))
    assert codes_page.status_code == 200
    assert not any(code in codes_page.content.decode() for code in with_app)

    removed = client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    assert StaticDevice.objects.filter(user=department_staff).exists()

    client.logout()
    client.post(reverse("login"), {"username": "member", "password": "pw-member"})
    assert client.get(reverse("home")).status_code == 200


def test_who_must_use_a_second_factor(org, staff, plain_user):
    assert must_use_second_factor(staff)
    assert must_use_second_factor(org.secretary_a.user)
    assert must_use_second_factor(org.secretary_parent.user)
    assert not must_use_second_factor(org.member_a.user)
    assert not must_use_second_factor(plain_user)


#      anonymous member_a member_b sec_a sec_b sec_parent staff
MATRIX = [
    ("setup", [LOGIN, 200, 200, 200, 200, 200, 200]),
    # Nothing to verify without an app: on to the page asked for.
    ("verify", [LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT]),
    ("disable", [LOGIN, 405, 405, 405, 405, 405, 405]),
    ("backup-codes", [LOGIN, 405, 405, 405, 405, 405, 405]),
]
CASES = [
    pytest.param(name, persona, expected, id=f"{name}-{persona}")
    for name, row in MATRIX
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "persona_name", "expected"), CASES)
def test_permission_matrix(login, name, persona_name, expected):
    assert_outcome(login(persona_name).get(reverse(f"two_factor:{name}")), expected)


def test_matrix_covers_every_two_step_url():
    from studyhub.two_factor import urls

    assert {p.name for p in urls.urlpatterns} == {name for name, _ in MATRIX}


@pytest.mark.parametrize("name", ["disable", "backup-codes"])
def test_posting_without_a_verified_session_changes_nothing(login, name):
    response = login("member_a").post(reverse(f"two_factor:{name}"), {"off-code": "123456"})
    assert response.status_code == 302 and response.url == reverse("two_factor:setup")
