"""Attachments to the minutes: photos (JPEG, PNG) and PDFs, recognised by their first bytes.

A file's name and the browser's content type are only what the uploader claims.
"""

from __future__ import annotations

import posixpath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from groups import conf

# (first bytes, content type, the extensions a file of that type may carry; first = ours)
SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"%PDF-", "application/pdf", (".pdf",)),
)


def sniff_type(head: bytes) -> tuple[str, tuple[str, ...]] | None:
    """Return the content type and extensions of a JPEG, PNG or PDF by its first bytes."""
    for magic, content_type, extensions in SIGNATURES:
        if head.startswith(magic):
            return content_type, extensions
    return None


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Return an upload's content type and display name, or refuse it (size, content)."""
    limit = conf.MINUTES_ATTACHMENT_MAX_BYTES
    name = posixpath.basename((upload.name or "").replace("\\", "/")).strip() or "attachment"
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; files may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(upload.size), "max": filesizeformat(limit)}
        )
    upload.seek(0)
    sniffed = sniff_type(upload.read(8))
    upload.seek(0)
    if sniffed is None:
        raise ValidationError(
            _("%(name)s is not a JPEG or PNG photo or a PDF document.") % {"name": name}
        )
    content_type, extensions = sniffed
    stem, dot, suffix = name.rpartition(".")
    if not dot or f".{suffix.lower()}" not in extensions:
        # The content decides: a PDF called "scan.png" is offered back as "scan.pdf".
        name = f"{stem if dot else name}{extensions[0]}"
    return content_type, name[-255:]
