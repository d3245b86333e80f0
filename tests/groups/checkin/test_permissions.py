"""Every check-in URL × the seven personas."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from groups.checkin import codes
from groups.models import Attendance
from tests.groups.factories import PERSONAS, make_session

# The session is 第一党支部's and open for check-in; 李明 (member_a) and 张伟 (secretary_a)
# are expected at it. Anyone signed in may open the general page (it lists only their own
# open sessions). The session's check-in page follows the session's visibility: 404 to
# those it is hidden from; those who see it but are not expected get a plain refusal (200,
# or 302 back with the message after a POST). The display is for its branch's managers:
# 403 to its own members, 404 to anyone it is hidden from.
EXPECTED = {
    "checkin": [302, 200, 200, 200, 200, 200, 200],
    "checkin-session": [302, 200, 404, 200, 404, 200, 200],
    "checkin-session-post": [302, 302, 404, 302, 404, 302, 302],
    "checkin-display": [302, 403, 404, 200, 404, 200, 200],
}
# Who ends up checked in after posting the token: only the members expected at it.
CHECKED_IN = {"member_a": "李明", "secretary_a": "张伟"}


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()


def request_for(name: str, session) -> tuple[str, str, dict]:
    url = reverse("groups:checkin-session", args=[session.pk])
    token = codes.checkin_token(session_pk=session.pk, now=timezone.now())
    return {
        "checkin": ("get", reverse("groups:checkin"), {}),
        "checkin-session": ("get", url, {"token": token}),
        "checkin-session-post": ("post", url, {"token": token}),
        "checkin-display": ("get", reverse("groups:checkin-display", args=[session.pk]), {}),
    }[name]


@pytest.mark.parametrize("url_name", list(EXPECTED))
@pytest.mark.parametrize("index,persona_name", list(enumerate(PERSONAS)))
def test_permission_matrix(org, login, url_name, index, persona_name):
    session = make_session(org.branch_a, starts_at=timezone.now() - timedelta(minutes=1))
    method, url, data = request_for(url_name, session)
    response = getattr(login(persona_name), method)(url, data)
    assert response.status_code == EXPECTED[url_name][index], (persona_name, url_name)
    if persona_name == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    marked = set(Attendance.objects.exclude(status="").values_list("member__name", flat=True))
    if url_name == "checkin-session-post" and persona_name in CHECKED_IN:
        assert marked == {CHECKED_IN[persona_name]}
    else:
        assert marked == set()


def test_missing_session_is_404(org, login):
    client = login("secretary_parent")
    assert client.get(reverse("groups:checkin-session", args=[999999])).status_code == 404
    assert client.get(reverse("groups:checkin-display", args=[999999])).status_code == 404
