"""Assigned reading: record what members open, read and note (the read paths: selectors.py)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import (
    Member,
    ReadingProgress,
    StudyNote,
)
from groups.models.reading import NOTE_MAX_LENGTH
from lessons.models import Section


def reading_open(*, member: Member, section: Section, at: datetime | None = None) -> None:
    """Record that a member opened a section; the first time is kept."""
    # One INSERT … ON CONFLICT DO NOTHING: atomic by itself and safe against a double click,
    # without the savepoint a get_or_create would add to every page view.
    ReadingProgress.objects.bulk_create(
        [ReadingProgress(member=member, section=section, opened_at=at or timezone.now())],
        ignore_conflicts=True,
    )


@transaction.atomic
def reading_mark_read(
    *, member: Member, section: Section, at: datetime | None = None
) -> ReadingProgress:
    """Record that a member has read a section; the first mark's time is kept."""
    at = at or timezone.now()
    progress, created = ReadingProgress.objects.select_for_update().get_or_create(
        member=member, section=section, defaults={"opened_at": at, "read_at": at}
    )
    if not created and progress.read_at is None:
        progress.read_at = max(at, progress.opened_at)
        progress.save(update_fields=["read_at"])
    return progress


@transaction.atomic
def note_save(*, member: Member, section: Section, text: str) -> StudyNote | None:
    """Save a member's study note on a section; an empty text deletes it."""
    text = text.strip()
    if not text:
        StudyNote.objects.filter(member=member, section=section).delete()
        return None
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("A study note holds at most %(max)d characters.") % {"max": NOTE_MAX_LENGTH}
        )
    reading_open(member=member, section=section)
    note, _created = StudyNote.objects.update_or_create(
        member=member, section=section, defaults={"text": text}
    )
    return note
