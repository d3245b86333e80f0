"""Attachments in the archive: photos scaled down and embedded, anything else by its name."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from groups.archive.thumbnails import THUMBNAIL_PX, attachment_for_archive
from groups.minutes import services as minutes
from tests.groups.factories import make_sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def attach(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    session = make_sessions(org).past

    def attach(name: str, data: bytes, content_type: str):
        upload = SimpleUploadedFile(name, data, content_type)
        return minutes.attachment_add(session=session, upload=upload, by=None)

    return attach


def image_bytes(mode: str, size: tuple[int, int], color, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt)
    return buffer.getvalue()


def shown(uri: str) -> Image.Image:
    assert uri.startswith("data:image/jpeg;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def test_a_large_photo_is_scaled_down(attach):
    photo = attach("合影.jpg", image_bytes("RGB", (3000, 2000), "red", "JPEG"), "image/jpeg")
    found = attachment_for_archive(photo)
    assert found.name == "合影.jpg"
    assert shown(found.image).size == (THUMBNAIL_PX, THUMBNAIL_PX * 2 // 3)


def test_a_transparent_png_lands_on_white_paper(attach):
    clear = attach("标志.png", image_bytes("RGBA", (40, 40), (0, 0, 0, 0), "PNG"), "image/png")
    assert shown(attachment_for_archive(clear).image).getpixel((20, 20)) > (250, 250, 250)


def test_a_broken_photo_and_a_pdf_are_named(attach):
    broken = attach("坏图.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "image/png")
    document = attach("材料.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    assert [(a.name, a.image) for a in map(attachment_for_archive, [broken, document])] == [
        ("坏图.png", ""),
        ("材料.pdf", ""),
    ]
