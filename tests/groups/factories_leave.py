"""Builders for leave, make-up and minutes tests: sessions of 第一党支部 and small real files."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from groups import makeup
from groups.models import Attendance, MakeUpStudy, Member, StudySession
from tests.groups.factories_reading import assign
from tests.groups.factories_sessions import local, make_session
from tests.lessons.factories import lecture_from_texts

if TYPE_CHECKING:
    from tests.groups.conftest import Org


@dataclass
class Sessions:
    # 第一党支部's 集中学习 tomorrow: member_a (李明) and secretary_a (张伟) are expected.
    upcoming: StudySession
    # 第一党支部's 集中学习 a week ago, with two sections of reading, held by 张伟.
    past: StudySession


def make_sessions(org: Org) -> Sessions:
    """Create an upcoming and a past session of 第一党支部 (the past one with reading)."""
    lecture = lecture_from_texts(
        [("坚持党的全面领导", ["正文一。"]), ("加强基层组织建设", ["正文二。"])],
        title="新时代党的组织路线",
    )
    past = make_session(
        org.branch_a,
        topic="七月集中学习",
        starts_at=local(timezone.localdate() - timedelta(days=7)),
        location="三楼会议室",
        host=org.secretary_a,
        recorder=org.member_a,
    )
    assign(past, list(lecture.sections.order_by("position")))
    return Sessions(upcoming=make_session(org.branch_a, topic="八月集中学习"), past=past)


def mark(session: StudySession, member: Member, status: str, note: str = "") -> Attendance:
    """Set a member's status at a session directly (as taking attendance would)."""
    row = Attendance.objects.get(session=session, member=member)
    row.status, row.note = status, note
    row.save()
    return row


def missed(session: StudySession, member: Member, status: str = "absent") -> MakeUpStudy:
    """Mark a member absent (or excused) and return the make-up task that gives them."""
    row = mark(session, member, status)
    makeup.makeup_sync(session=session)
    return MakeUpStudy.objects.get(attendance=row)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """Return a real, tiny grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """Return a real one-page PDF document."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return body
