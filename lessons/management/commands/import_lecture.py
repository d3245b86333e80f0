from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lessons import importer, services


class Command(BaseCommand):
    help = "Import a lecture from a .txt (UTF-8 or GBK) or .docx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and report, but save nothing."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the parsed outline as JSON (see README)."
        )

    def handle(self, *args, path: Path, dry_run: bool, json: bool, **options) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            outline = importer.parse_file(
                data, path.name, max_bytes=settings.LECTURE_MAX_UPLOAD_BYTES
            )
        except importer.LectureImportError as error:
            raise CommandError(f"{path.name}: {error}") from None

        if json:
            self.stdout.write(_dumps(outline.as_dict()))
        if dry_run:
            if not json:
                self._summary(outline)
            return
        lecture, created = services.lecture_save(outline=outline, source_name=path.name)
        message = (
            f"Imported “{lecture.title}” (id {lecture.pk}, version {lecture.version})."
            if created
            else f"Already imported as “{lecture.title}” (id {lecture.pk}); nothing changed."
        )
        (self.stderr if json else self.stdout).write(self.style.SUCCESS(message))

    def _summary(self, outline: importer.Outline) -> None:
        self.stdout.write(outline.title)
        for section in outline.walk():
            indent = "  " * (section.level - 1)
            number = f"{section.number} " if section.number else ""
            paragraphs = len(section.paragraphs)
            self.stdout.write(f"{indent}{number}{section.title}  ({paragraphs} ¶)")
        terms = "、".join(f"{t.term}×{t.occurrences}" for t in outline.terms)
        self.stdout.write(f"{len(outline.terms)} key terms: {terms}")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
