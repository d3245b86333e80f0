"""Build a branch's yearly archive (PDF and XLSX) into a directory, with progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from groups.archive.jobs import archive_filename
from groups.archive.services import archive_build
from groups.models import Branch


class Command(BaseCommand):
    help = (
        "Write the year's records of a branch and the branches under it as one A4 PDF and one "
        "XLSX into DIR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("branch_id", type=int, help="The branch's id (see its page's URL).")
        parser.add_argument("year", type=int)
        parser.add_argument("--out", required=True, metavar="DIR", help="Created if missing.")

    def handle(self, *args: Any, branch_id: int, year: int, out: str, **options: Any) -> None:
        branch = Branch.objects.filter(pk=branch_id).first()
        if branch is None:
            raise CommandError(f"No branch has the id {branch_id}.")
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year} is not a year this archive can cover (2000–2100).")
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r{done}/{total}", ending="")

        with translation.override(settings.LANGUAGE_CODE):
            pdf, xlsx = archive_build(branch=branch, year=year, progress=progress)
        self.stderr.write("")
        for extension, data in (("pdf", pdf), ("xlsx", xlsx)):
            path = directory / archive_filename(branch.name, branch.code, year, extension)[0]
            path.write_bytes(data)
            self.stdout.write(f"{path} ({len(data) / 1024:,.0f} KB)")
