"""Attachments in the archive: photos scaled down and embedded, other files named."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from groups.models import MinutesAttachment

# The longest side of a photo in the archive: sharp at the 80 mm it is printed, small in the PDF.
THUMBNAIL_PX = 800
# Past this many pixels an image is not decoded (a small file can claim a huge image).
MAX_PIXELS = 60_000_000


@dataclass
class Attachment:
    """An attachment as the archive shows it: its name and, for a photo, a data: URI."""

    name: str
    image: str = ""


def attachment_for_archive(attachment: MinutesAttachment) -> Attachment:
    """Return a photo scaled down to THUMBNAIL_PX as a JPEG data: URI; other files by name.

    A photo that cannot be read (a missing file, a broken or absurd image) is named instead.
    """
    found = Attachment(name=attachment.original_name)
    if not attachment.content_type.startswith("image/"):
        return found
    from PIL import Image, ImageOps

    try:
        with attachment.file.open("rb") as handle, Image.open(handle) as image:
            if image.width * image.height > MAX_PIXELS:
                return found
            # A JPEG decodes straight at a fraction of its size: far faster than in full.
            image.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))
            shown = ImageOps.exif_transpose(image)
            shown.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            if shown.mode in ("RGBA", "LA", "P"):
                # Transparency on white paper, not on the black JPEG would give it.
                shown = shown.convert("RGBA")
                paper = Image.new("RGB", shown.size, "white")
                paper.paste(shown, mask=shown.getchannel("A"))
                shown = paper
            buffer = io.BytesIO()
            shown.convert("RGB").save(buffer, "JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        return found
    found.image = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
    return found
