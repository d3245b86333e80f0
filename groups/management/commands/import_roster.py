"""Import a branch roster (CSV or XLSX) from the command line; all rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groups.models import Branch
from groups.org.services import roster_import


class Command(BaseCommand):
    help = (
        "Import members from a roster file (CSV or XLSX with 姓名/人员类别/所在支部 … columns). "
        "Rows matching a member (by phone, else name and branch) update them. "
        "On any error nothing is saved and the command exits non-zero."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )
        parser.add_argument(
            "--branch",
            metavar="CODE",
            help="Only accept rows in this branch's subtree (default: the whole tree).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        root = None
        if options["branch"]:
            root = Branch.objects.filter(code=options["branch"]).first()
            if root is None:
                raise CommandError(f"No branch with code {options['branch']!r}.")
        plan = roster_import(data=data, filename=path.name, root=root, dry_run=options["dry_run"])
        for line in plan.messages():
            self.stderr.write(line)
        counts = plan.counts
        summary = (
            f"{len(plan.rows)} rows: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['unchanged']} unchanged, {counts['errors']} with errors."
        )
        if not plan.is_valid:
            raise CommandError(f"{summary} Nothing was saved.")
        if options["dry_run"]:
            self.stdout.write(f"{summary} Dry run: nothing was saved.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{summary} Saved."))
