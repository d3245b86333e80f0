"""Minutes (会议记录): saving with history, attachments checked by content, the printed record."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groups.leave import services as leave
from groups.minutes import services as minutes
from groups.models import Minutes, MinutesAttachment
from tests.groups.factories import make_sessions, mark, pdf_bytes, png_bytes


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    # The strings of these pages have no Chinese translation yet: read them in English.
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sessions(org):
    return make_sessions(org)


def upload(client, session, name: str, content: bytes, content_type: str = "image/png"):
    url = reverse("groups:minutes-attachment-add", args=[session.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type)})


# --- Minutes ------------------------------------------------------------------------------


def test_saving_minutes_keeps_their_history(org, sessions, login):
    client = login("secretary_a")
    url = reverse("groups:minutes-edit", args=[sessions.past.pk])
    fields = {
        "topics": "学习党章",
        "key_points": "张伟：要学深悟透",
        "resolutions": "",
        "vote_results": "",
    }
    assert client.post(url, fields).status_code == 302
    client.post(url, fields)  # an idle save adds nothing
    login("secretary_parent").post(url, {**fields, "resolutions": "下月开展主题党日"})
    saved = Minutes.objects.get(session=sessions.past)
    assert saved.resolutions == "下月开展主题党日"
    authors = [h.history_user.username for h in saved.history.order_by("history_date")]
    assert authors == ["secretary_a", "secretary_parent"]
    page = client.get(url).content.decode()
    assert "下月开展主题党日" in page and "张伟" in page  # the host, from the session


# --- Attachments --------------------------------------------------------------------------


def test_a_real_png_and_pdf_are_stored_and_served_to_permitted_users(org, sessions, login):
    client = login("secretary_a")
    assert upload(client, sessions.past, "合影.png", png_bytes()).status_code == 302
    assert (
        upload(client, sessions.past, "签到表.pdf", pdf_bytes(), "application/pdf").status_code
        == 302
    )
    photo, pdf = MinutesAttachment.objects.order_by("pk")
    assert (photo.content_type, pdf.content_type) == ("image/png", "application/pdf")
    # Stored through the storage API under a random name, not the uploader's.
    assert default_storage.exists(photo.file.name) and "合影" not in photo.file.name
    assert photo.file.name.startswith("minutes/") and photo.file.name.endswith(".png")

    response = login("member_a").get(reverse("groups:minutes-attachment", args=[photo.token]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "inline" in response["Content-Disposition"]
    assert "filename*=utf-8''%E5%90%88%E5%BD%B1.png" in response["Content-Disposition"]
    response = client.get(reverse("groups:minutes-attachment", args=[pdf.token]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    # 第二党支部 does not see 第一党支部's session: its attachments do not exist for them.
    for outsider in ("member_b", "secretary_b"):
        assert (
            login(outsider)
            .get(reverse("groups:minutes-attachment", args=[photo.token]))
            .status_code
            == 404
        )


def test_a_png_name_with_text_content_is_refused_and_nothing_saved(org, sessions, login, tmp_path):
    client = login("secretary_a")
    response = upload(client, sessions.past, "photo.png", b"<html>not an image</html>")
    # Back on the minutes page (a GET a reload repeats safely), with the reason.
    edit = reverse("groups:minutes-edit", args=[sessions.past.pk])
    assert response.status_code == 302 and response.url == edit
    page = client.get(edit).content.decode()
    assert "photo.png is not a JPEG or PNG photo or a PDF document." in page
    assert not MinutesAttachment.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_file_over_the_limit_is_refused(org, sessions, login, monkeypatch, tmp_path):
    monkeypatch.setattr("groups.conf.MINUTES_ATTACHMENT_MAX_BYTES", 1024)
    client = login("secretary_a")
    response = upload(client, sessions.past, "big.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "big.pdf is 2.0\xa0KB; files may be at most 1.0\xa0KB." in page
    assert not MinutesAttachment.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_the_content_decides_the_type_and_extension(org, sessions):
    upload_file = SimpleUploadedFile("扫描件.png", pdf_bytes(), "image/png")
    attachment = minutes.attachment_add(session=sessions.past, upload=upload_file, by=None)
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "扫描件.pdf"
    assert attachment.file.name.endswith(".pdf")
    jpeg = SimpleUploadedFile(
        "会场", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "application/octet-stream"
    )
    assert minutes.attachment_add(session=sessions.past, upload=jpeg, by=None).original_name == (
        "会场.jpg"
    )


def test_deleting_an_attachment_removes_its_file(
    org, sessions, login, django_capture_on_commit_callbacks
):
    client = login("secretary_a")
    upload(client, sessions.past, "合影.png", png_bytes())
    attachment = MinutesAttachment.objects.get()
    name = attachment.file.name
    url = reverse("groups:minutes-attachment-delete", args=[attachment.token])
    assert login("member_a").post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert login("secretary_a").post(url).status_code == 302
    assert not MinutesAttachment.objects.exists()
    assert not default_storage.exists(name)


# --- The printable record -----------------------------------------------------------------


def test_the_record_shows_who_was_missing_and_why(org, sessions, login):
    past = sessions.past
    request = leave.leave_request(session=sessions.upcoming, member=org.member_a, reason="x")
    assert request  # an unrelated session's leave must not leak into this record
    mark(past, org.secretary_a, "present")
    mark(past, org.member_a, "absent", note="未请假")
    minutes.minutes_save(
        session=past,
        by=org.secretary_a.user,
        topics="学习新时代党的组织路线",
        key_points="张伟：坚持党的全面领导",
        resolutions="每月开展一次主题党日",
        vote_results="应到2人，实到1人，同意1票",
    )
    page = (
        login("secretary_a").get(reverse("groups:minutes-record", args=[past.pk])).content.decode()
    )
    for text in (
        "七月集中学习",
        "三楼会议室",
        '<td data-field="host">张伟</td>',
        '<td data-field="recorder">李明</td>',
        '<td data-count="expected">2</td>',
        '<td data-count="attended">1</td>',
        "李明（absent：未请假）",
        "学习新时代党的组织路线",
        "张伟：坚持党的全面领导",
        "每月开展一次主题党日",
        "应到2人，实到1人，同意1票",
        'id="print-record"',
        "css/record.css",
    ):
        assert text in page, text


def test_the_record_gives_the_leave_reason_of_the_excused(org, sessions, login):
    upcoming = sessions.upcoming
    request = leave.leave_request(session=upcoming, member=org.member_a, reason="赴京学习")
    leave.leave_approve(request=request, by=org.secretary_a.user)
    mark(upcoming, org.member_a, "excused", note="")  # the note cleared: the reason still shows
    page = login("secretary_a").get(reverse("groups:minutes-record", args=[upcoming.pk]))
    assert "李明（excused：赴京学习）" in page.content.decode()


def test_the_record_print_button_is_hidden_when_printing(org, sessions, login):
    page = login("secretary_a").get(reverse("groups:minutes-record", args=[sessions.past.pk]))
    html = page.content.decode()
    toolbar = html[: html.index('id="print-record"')]
    assert 'class="no-print' in toolbar[toolbar.rindex("<div") :]


def test_the_printed_record_of_a_general_meeting_states_its_quorum(org, login):
    from datetime import timedelta

    from django.utils import timezone

    from tests.groups.factories import make_session

    meeting = make_session(
        org.branch_a, "general_meeting", starts_at=timezone.now() - timedelta(days=2)
    )
    url = reverse("groups:minutes-record", args=[meeting.pk])
    page = login("secretary_a").get(url).content.decode()
    assert "data-quorum" not in page  # nothing claimed before attendance is taken
    mark(meeting, org.member_a, "present")
    mark(meeting, org.secretary_a, "absent")
    page = login("secretary_a").get(url).content.decode()
    assert 'data-quorum="not-reached"' in page
    assert "Full members present 1/2" in page


def test_a_committee_meetings_attachment_is_for_those_it_expects_only(org, login):
    from groups.minutes.services import minutes_save
    from tests.groups.factories import make_session

    meeting = make_session(org.branch_a, "committee_meeting", topic="支委会：研究发展党员")
    minutes_save(session=meeting, by=None, topics="发展党员", key_points="", resolutions="",
                 vote_results="")  # fmt: skip
    upload(login("secretary_a"), meeting, "名单.pdf", pdf_bytes(), "application/pdf")
    attachment = MinutesAttachment.objects.get()
    url = reverse("groups:minutes-attachment", args=[attachment.token])
    # member_a is of 第一党支部 but not on its committee: the minutes and the file are closed.
    assert login("member_a").get(url).status_code == 404
    assert login("secretary_a").get(url).status_code == 200
    # The address is the token: the sequential id leads nowhere.
    assert f"/{attachment.pk}/" not in url
    assert (
        login("secretary_a").get(f"/groups/minutes/attachments/{attachment.pk}/").status_code == 404
    )
