"""Every leave, make-up and minutes URL × the seven personas; what each may see and change."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groups.leave import makeup
from groups.leave import services as leave
from groups.minutes import services as minutes
from groups.models import LeaveRequest, MakeUpStudy
from tests.groups.factories import PERSONAS, make_sessions, missed, png_bytes

# The sessions are 第一党支部's: 李明 (member_a) and 张伟 (secretary_a) are expected. Members
# act only for themselves (a login without a member profile has nobody to act for: 404);
# leave and make-up are decided by the managers of the session's branch (404 to others);
# minutes are theirs to edit (403 to the branch's own members, who see the session, 404 to
# anyone it is hidden from), and attachments go to whoever sees the session.
#             anonymous member_a member_b secretary_a secretary_b secretary_parent staff
EXPECTED = {
    "leave-ask": [302, 302, 404, 302, 404, 302, 404],
    "leave-pending": [302, 403, 403, 200, 200, 200, 200],
    "leave-approve": [302, 404, 404, 302, 404, 302, 302],
    "leave-reject": [302, 404, 404, 302, 404, 302, 302],
    "makeup-mine": [302, 200, 200, 200, 200, 200, 404],
    "makeup-review": [302, 403, 403, 200, 200, 200, 200],
    "makeup-detail": [302, 200, 404, 200, 404, 200, 200],
    "makeup-submit": [302, 302, 404, 403, 404, 403, 403],
    "makeup-confirm": [302, 403, 404, 302, 404, 302, 302],
    "minutes-edit": [302, 403, 404, 200, 404, 200, 200],
    "minutes-save": [302, 403, 404, 302, 404, 302, 302],
    "minutes-attachment-add": [302, 403, 404, 302, 404, 302, 302],
    "minutes-attachment": [302, 200, 404, 200, 404, 200, 200],
    "minutes-attachment-delete": [302, 403, 404, 302, 404, 302, 302],
    "minutes-record": [302, 403, 404, 200, 404, 200, 200],
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def requests_for(org) -> dict[str, tuple[str, str, dict]]:
    """Build a pending leave request, a submitted make-up task and an attachment; their URLs."""
    sessions = make_sessions(org)
    asked = leave.leave_request(session=sessions.upcoming, member=org.member_a, reason="出差")
    task = missed(sessions.past, org.member_a)
    makeup.makeup_submit(makeup=task, note="心得")
    photo = SimpleUploadedFile("合影.png", png_bytes(), "image/png")
    attachment = minutes.attachment_add(session=sessions.past, upload=photo, by=None)
    past = sessions.past.pk
    minutes_fields = {"topics": "议题", "key_points": "", "resolutions": "", "vote_results": ""}
    return {
        "leave-ask": (
            "post",
            reverse("groups:leave-ask", args=[sessions.upcoming.pk]),
            {"reason": "家中有事"},
        ),
        "leave-pending": ("get", reverse("groups:leave-pending"), {}),
        "leave-approve": ("post", reverse("groups:leave-approve", args=[asked.pk]), {}),
        "leave-reject": ("post", reverse("groups:leave-reject", args=[asked.pk]), {"note": "否"}),
        "makeup-mine": ("get", reverse("groups:makeup-mine"), {}),
        "makeup-review": ("get", reverse("groups:makeup-review"), {}),
        "makeup-detail": ("get", reverse("groups:makeup-detail", args=[task.pk]), {}),
        "makeup-submit": (
            "post",
            reverse("groups:makeup-detail", args=[task.pk]),
            {"note": "新心得"},
        ),
        "makeup-confirm": ("post", reverse("groups:makeup-confirm", args=[task.pk]), {}),
        "minutes-edit": ("get", reverse("groups:minutes-edit", args=[past]), {}),
        "minutes-save": ("post", reverse("groups:minutes-edit", args=[past]), minutes_fields),
        "minutes-attachment-add": (
            "post",
            reverse("groups:minutes-attachment-add", args=[past]),
            {"file": SimpleUploadedFile("会场.png", png_bytes(), "image/png")},
        ),
        "minutes-attachment": (
            "get",
            reverse("groups:minutes-attachment", args=[attachment.token]),
            {},
        ),
        "minutes-attachment-delete": (
            "post",
            reverse("groups:minutes-attachment-delete", args=[attachment.token]),
            {},
        ),
        "minutes-record": ("get", reverse("groups:minutes-record", args=[past]), {}),
    }


@pytest.mark.parametrize("url_name", list(EXPECTED))
@pytest.mark.parametrize("index,persona_name", list(enumerate(PERSONAS)))
def test_permission_matrix(org, login, url_name, index, persona_name):
    method, url, data = requests_for(org)[url_name]
    response = getattr(login(persona_name), method)(url, data)
    assert response.status_code == EXPECTED[url_name][index], (persona_name, url_name)
    if persona_name == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona_name", ["member_a", "member_b", "secretary_b"])
def test_only_managers_in_scope_decide(org, login, persona_name):
    requests = requests_for(org)
    client = login(persona_name)
    client.post(requests["leave-approve"][1])
    client.post(requests["leave-reject"][1], requests["leave-reject"][2])
    assert LeaveRequest.objects.get().status == "pending"
    client.post(requests["makeup-confirm"][1])
    assert not MakeUpStudy.objects.filter(confirmed_at__isnull=False).exists()


def test_posts_only(org, login):
    requests = requests_for(org)
    client = login("secretary_a")
    for name in (
        "leave-ask",
        "leave-approve",
        "leave-reject",
        "makeup-confirm",
        "minutes-attachment-add",
        "minutes-attachment-delete",
    ):
        assert client.get(requests[name][1]).status_code == 405, name
