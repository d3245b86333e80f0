"""Export an attendance report to a file, for cron jobs and exports too big to download."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from groups.exports.exporters import EXPORTERS
from groups.exports.writers import export_csv_chunks, export_xlsx
from groups.models import Branch, MemberCategory, SessionKind
from groups.reports.filters import ReportFilters


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date: write YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Write an attendance report of a branch subtree and period as CSV or XLSX. "
        "Streams in constant memory at any size (XLSX has no row limit here; past "
        "1,048,575 rows it continues on a new sheet)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--branch", required=True, metavar="CODE", help="The branch code.")
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", required=True, metavar="FILE", help="'-' for stdout.")
        parser.add_argument("--report", choices=sorted(EXPORTERS), default="detail")
        parser.add_argument(
            "--kind", action="append", default=[], metavar="CODE", help="Session kind (repeat)."
        )
        parser.add_argument(
            "--category",
            action="append",
            default=[],
            metavar="CODE",
            help="Member category (repeat).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        filters = self._filters(options)
        with translation.override(settings.LANGUAGE_CODE):
            exporter = EXPORTERS[options["report"]](filters)
            output = options["output"]
            try:
                if options["format"] == "xlsx":
                    export_xlsx(exporter, sys.stdout.buffer if output == "-" else output)
                else:
                    self._write_csv(export_csv_chunks(exporter), output)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error}") from error
        if output != "-":
            self.stderr.write(f"Wrote {output} ({options['report']}, {options['format']}).")

    def _filters(self, options: dict[str, Any]) -> ReportFilters:
        root = Branch.objects.filter(code=options["branch"]).first()
        if root is None:
            raise CommandError(f"No branch with code {options['branch']!r}.")
        start, end = _day(options["start"]), _day(options["end"])
        if start > end:
            raise CommandError("--from comes after --to.")
        kinds = self._pick(SessionKind, options["kind"])
        categories = self._pick(MemberCategory, options["category"])
        return ReportFilters(start=start, end=end, root=root, kinds=kinds, categories=categories)

    def _pick(self, model: Any, codes: list[str]) -> tuple:
        found = {item.code: item for item in model.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            known = ", ".join(model.objects.values_list("code", flat=True))
            raise CommandError(f"Unknown {model._meta.model_name} {unknown}; known: {known}.")
        return tuple(found[code] for code in codes)

    def _write_csv(self, chunks: Any, output: str) -> None:
        target = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115
        try:
            for chunk in chunks:
                target.write(chunk.encode() if isinstance(chunk, str) else chunk)
        finally:
            if target is not sys.stdout.buffer:
                target.close()
