"""The shared CSV and XLSX writers every export goes through, and the exporter interface.

An exporter (pretix's ``base/exporter.py`` without the plugin machinery; the attendance
ones and their registry are in groups/exporters.py) has an identifier, a verbose name,
takes the reports' ``ReportFilters`` and yields rows beginning with the header.

CSV streams (UTF-8 with a BOM, so Excel and WPS read Chinese); an exporter that can also
give its query as SQL is streamed by PostgreSQL's ``COPY … TO STDOUT`` there, byte for byte
the file the portable path writes. XLSX is written by XlsxWriter in constant-memory mode to
a temporary file, then streamed.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from django.db import connections, transaction
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from groups.reports.filters import ReportFilters

# A cell starting with one of these is read as a formula by Excel, WPS and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
# Excel's sheet holds 1,048,576 rows: the header and this many data rows.
EXCEL_MAX_DATA_ROWS = 1_048_575
# Rows fetched per database round trip, and bytes gathered before a CSV chunk is sent.
CHUNK_ROWS = 2000
CSV_CHUNK_BYTES = 64 * 1024
# Column widths are judged from the header and this many rows (the rest stream past).
WIDTH_SAMPLE_ROWS = 200


def neutralise(value: Any) -> Any:
    """Return the value, with a quote before text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# --- CSV ------------------------------------------------------------------------------


_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)
_DATETIME, _DATE, _TIME = datetime.datetime, datetime.date, datetime.time


def _csv_cells(row: Iterable[Any]) -> list[Any]:
    """Return a row's cells as CSV text: formulas quoted, dates ISO, times HH:MM.

    One loop with the common cases first, not a function call per cell: this is the inner
    loop of a million-row export.
    """
    cells: list[Any] = []
    append = cells.append
    for value in row:
        kind = type(value)
        if kind is str:
            append("'" + value if value[:1] in _TRIGGER_CHARS else value)
        elif value is None:
            append("")
        elif kind is _DATE:
            append(value.isoformat())
        elif kind is _TIME:
            append(value.isoformat("minutes"))
        elif kind is _DATETIME:
            append(value.isoformat(" ", "seconds"))
        elif isinstance(value, str):
            append(str(neutralise(value)))
        else:
            # Numbers are never formulas: they stay numbers.
            append(value)
    return cells


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield a CSV file in chunks: the BOM and header at once, then about 64 KB at a time.

    Lines end in LF as PostgreSQL's COPY writes them, so both paths give the same bytes. The
    writer ends lines in CRLF only so that it quotes a field holding a lone CR, as COPY does.
    """
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    rows = iter(rows)
    header = next(rows, None)
    first = "" if header is None else writer.writerow(_csv_cells(header))[:-2] + "\n"
    yield BOM + first
    parts: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow(_csv_cells(row))
        parts.append(line[:-2])
        parts.append("\n")
        size += len(line)
        if size >= CSV_CHUNK_BYTES:
            yield "".join(parts)
            parts, size = [], 0
    if parts:
        yield "".join(parts)


# --- XLSX -----------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Return the columns text takes in a spreadsheet (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 19
    if isinstance(value, datetime.date):
        return 10
    if isinstance(value, datetime.time):
        return 5
    return display_width(str(value))


def sheet_titles(title: str) -> Iterator[str]:
    """Yield the names of a table's sheets: the title, then "title (2)", "title (3)" …"""
    clean = re.sub(r"[\[\]:*?/\\]", " ", title)[:25]
    yield clean
    number = 2
    while True:
        yield f"{clean} ({number})"
        number += 1


def xlsx_write(
    target: str | IO[bytes],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "Sheet1",
    summary: Callable[[], Iterable[tuple[str, Any]]] | None = None,
    max_rows_per_sheet: int = EXCEL_MAX_DATA_ROWS,
) -> int:
    """Write rows (header first) as an XLSX workbook in constant memory; return the data rows.

    Dates and times become real Excel dates; the header row is frozen on every sheet. Past
    ``max_rows_per_sheet`` data rows a new sheet starts, with the header again. ``summary``
    is called after the rows are written (so it can report what they held) and fills a
    first sheet of label/value pairs.
    """
    return xlsx_write_tables(
        target, [(sheet_title, rows)], summary=summary, max_rows_per_sheet=max_rows_per_sheet
    )[0]


def xlsx_write_tables(
    target: str | IO[bytes],
    tables: Iterable[tuple[str, Iterable[Sequence[Any]]]],
    *,
    summary: Callable[[], Iterable[tuple[str, Any]]] | None = None,
    max_rows_per_sheet: int = EXCEL_MAX_DATA_ROWS,
) -> list[int]:
    """Write several tables (title, rows with the header first) as the sheets of one XLSX
    workbook, as ``xlsx_write`` writes one; return the data rows of each."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "remove_timezone": True, "strings_to_formulas": False},
    )
    bold = workbook.add_format({"bold": True})
    formats = {
        datetime.datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        datetime.date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        datetime.time: workbook.add_format({"num_format": "hh:mm"}),
    }
    summary_sheet = workbook.add_worksheet(_("Summary")) if summary is not None else None
    written = [
        _write_table(workbook, rows, str(title), max_rows_per_sheet, bold, formats)
        for title, rows in tables
    ]
    if summary_sheet is not None:
        _write_pairs(summary_sheet, summary(), bold, formats)
    workbook.close()
    return written


def _write_table(
    workbook: Any,
    rows: Iterable[Sequence[Any]],
    sheet_title: str,
    max_rows_per_sheet: int,
    bold: Any,
    formats: dict[type, Any],
) -> int:
    rows = iter(rows)
    header = list(next(rows, []))
    titles = sheet_titles(sheet_title)
    widths = [_cell_width(value) for value in header]
    sheets = []

    def new_sheet() -> Any:
        sheet = workbook.add_worksheet(next(titles))
        sheet.freeze_panes(1, 0)
        for column, value in enumerate(header):
            sheet.write_string(0, column, str(value), bold)
        sheets.append(sheet)
        return sheet

    sheet = new_sheet()
    written = row_in_sheet = 0
    for row in rows:
        if row_in_sheet == max_rows_per_sheet:
            sheet, row_in_sheet = new_sheet(), 0
        row_in_sheet += 1
        written += 1
        if written <= WIDTH_SAMPLE_ROWS:
            widths = [max(w, _cell_width(v)) for w, v in zip(widths, row, strict=False)]
        _write_row(sheet, row_in_sheet, row, formats)
    for each in sheets:
        for column, width in enumerate(widths):
            each.set_column(column, column, min(max(width, 4), 60) + 2)
    return written


_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)  # noqa: DTZ001 (Excel's day 0, no zone)
_DAY = datetime.timedelta(days=1)


def excel_serial(value: datetime.date | datetime.time) -> float:
    """Return a naive date, datetime or time as Excel's serial day number (1900 system)."""
    if isinstance(value, datetime.datetime):
        return (value - _EXCEL_EPOCH) / _DAY
    if isinstance(value, datetime.date):
        return (value - _EXCEL_EPOCH.date()).days
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return seconds / 86400


def _write_row(sheet: Any, row_number: int, row: Sequence[Any], formats: dict) -> None:
    for column, value in enumerate(row):
        kind = type(value)
        if kind is str:
            if value:
                sheet.write_string(row_number, column, neutralise(value))
        elif value is None:
            continue
        elif kind in formats:
            # A number with a date format is what write_datetime stores, converted here
            # without its per-cell checks (dates are a third of a detail row's cells).
            sheet.write_number(row_number, column, excel_serial(value), formats[kind])
        elif kind is bool:
            sheet.write_boolean(row_number, column, value)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row_number, column, value)
        else:
            sheet.write_string(row_number, column, neutralise(str(value)))


def _write_pairs(
    sheet: Any, pairs: Iterable[tuple[str, Any]], bold: Any, formats: dict[type, Any]
) -> None:
    label_width = value_width = 8
    for row_number, (label, value) in enumerate(pairs):
        sheet.write_string(row_number, 0, str(label), bold)
        _write_row(sheet, row_number, [None, value], formats)
        label_width = max(label_width, display_width(str(label)))
        value_width = max(value_width, _cell_width(value))
    sheet.set_column(0, 0, label_width + 2)
    sheet.set_column(1, 1, min(value_width, 80) + 2)


def xlsx_bytes(rows: Iterable[Iterable[Any]], *, sheet_title: str = "Sheet1") -> bytes:
    """Return an XLSX workbook of the rows, one sheet; dates become date cells."""
    buffer = io.BytesIO()
    xlsx_write(buffer, rows, sheet_title=sheet_title)
    return buffer.getvalue()


# --- Responses ------------------------------------------------------------------------


def content_disposition(filename: str, *, ascii_name: str = "") -> str:
    """Return an attachment header with an ASCII fallback and the RFC 5987 UTF-8 name."""
    if not ascii_name:
        stem, dot, extension = filename.rpartition(".")
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem if dot else filename).strip("_-")
        ascii_name = (stem or "export") + (dot + extension if dot else "")
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_response(
    rows: Iterable[Iterable[Any]], *, filename: str, ascii_name: str = ""
) -> StreamingHttpResponse:
    """Stream rows as a CSV download."""
    return csv_stream_response(iter_csv(rows), filename=filename, ascii_name=ascii_name)


def csv_stream_response(
    chunks: Iterable[str | bytes], *, filename: str, ascii_name: str = ""
) -> StreamingHttpResponse:
    """Stream ready CSV chunks as a download."""
    response = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, ascii_name=ascii_name)
    return response


def xlsx_response(
    rows: Iterable[Iterable[Any]], *, filename: str, sheet_title: str = "Sheet1"
) -> HttpResponse:
    """Return rows as an XLSX download."""
    response = HttpResponse(
        xlsx_bytes(rows, sheet_title=sheet_title), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition(filename)
    return response


# --- Exporters ------------------------------------------------------------------------


class Exporter:
    """One downloadable report: a header and its rows, for the report filters.

    ``filters`` is the ``groups.reports.filters.ReportFilters`` the report pages use (built by
    ``ReportFilterForm``, or by the export_attendance command).
    """

    identifier: ClassVar[str]
    verbose_name: ClassVar[Any]
    # Exporters whose query PostgreSQL can stream through COPY set this, and may give
    # SET LOCAL statements for the planner (run in the COPY's own transaction).
    has_copy_path: ClassVar[bool] = False
    copy_settings: ClassVar[tuple[str, ...]] = ()

    def __init__(self, filters: ReportFilters, *, now: datetime.datetime | None = None) -> None:
        self.filters = filters
        # Reports count the sessions that started before now; one now for the whole export.
        self.now = now or timezone.now()

    def header(self) -> list[str]:
        """Return the column titles (the first row ``rows()`` yields)."""
        raise NotImplementedError

    def count(self) -> int:
        """Return the number of data rows (a cheap COUNT, before choosing how to export)."""
        raise NotImplementedError

    def rows(self) -> Iterator[Sequence[Any]]:
        """Yield the header, then one row per record, typed (dates stay dates)."""
        raise NotImplementedError

    def copy_query(self) -> tuple[str, Sequence[Any]]:
        """Return the SELECT whose COPY CSV is the data rows of ``rows()``, with params."""
        raise NotImplementedError

    def summary(self) -> list[tuple[str, Any]]:
        """Return the summary sheet's label/value pairs; call it after ``rows()`` is spent."""
        filters = self.filters
        return [
            (_("Report"), str(self.verbose_name)),
            (_("Branch"), filters.subject),
            (_("From"), filters.start),
            (_("To"), filters.end),
            (_("Kinds"), "、".join(kind.label for kind in filters.kinds) or _("all")),
            (
                _("Categories"),
                "、".join(category.name for category in filters.categories) or _("all"),
            ),
            (_("Generated at"), timezone.localtime().replace(tzinfo=None, microsecond=0)),
        ]

    def filename(self, extension: str) -> tuple[str, str]:
        """Return the download's name and its ASCII fallback, with branch and period."""
        filters = self.filters
        period = f"{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
        code = filters.root.code if filters.root is not None else "member"
        name = f"{filters.subject}-{self.verbose_name}-{period}.{extension}"
        return name, f"{code}-{self.identifier}-{period}.{extension}"


@contextmanager
def planned_to_stream(settings: Sequence[str], *, using: str = "default") -> Iterator[None]:
    """On PostgreSQL, run the block in a transaction with the exporter's planner settings, so
    a server-side cursor walks the rows in index order and its first rows come at once
    (without them the plan sorts every row first). Elsewhere, just run it."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings:
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)
        yield


def iter_copy_csv(exporter: Exporter, *, using: str = "default") -> Iterator[str | bytes]:
    """Yield the export's CSV straight from PostgreSQL's COPY, after the same BOM and header."""
    yield next(iter_csv([exporter.header()]))  # the BOM and header, as the portable path
    sql, params = exporter.copy_query()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for setting in exporter.copy_settings:
            cursor.execute(setting)
        # cursor.cursor is psycopg 3's own cursor; its copy() binds the parameters client side.
        with cursor.cursor.copy(statement, params) as copy:
            for data in copy:
                yield bytes(data)


def export_csv_chunks(exporter: Exporter, *, fast: bool = True) -> Iterator[str | bytes]:
    """Yield an export as CSV chunks, through COPY on PostgreSQL when the exporter can."""
    if fast and exporter.has_copy_path and connections["default"].vendor == "postgresql":
        return iter_copy_csv(exporter)
    return iter_csv(exporter.rows())


def export_xlsx(
    exporter: Exporter,
    target: str | IO[bytes],
    *,
    max_rows_per_sheet: int = EXCEL_MAX_DATA_ROWS,
    rows: Iterable[Sequence[Any]] | None = None,
) -> int:
    """Write an export as XLSX (summary sheet first); return the data rows written.

    ``rows`` replaces ``exporter.rows()``, for a caller that watches them go by (a job's
    progress)."""
    return xlsx_write(
        target,
        exporter.rows() if rows is None else rows,
        sheet_title=str(getattr(exporter, "sheet_title", exporter.verbose_name)),
        summary=exporter.summary,
        max_rows_per_sheet=max_rows_per_sheet,
    )


def export_response(exporter: Exporter, *, file_format: str) -> HttpResponse | FileResponse:
    """Return the export as a download: CSV streamed as it is read, XLSX from a temp file."""
    name, ascii_name = exporter.filename(file_format)
    if file_format == "csv":
        chunks = export_csv_chunks(exporter)
        return csv_stream_response(chunks, filename=name, ascii_name=ascii_name)
    # A file on disk, not memory; FileResponse closes (and so deletes) it once sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    export_xlsx(exporter, spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(name, ascii_name=ascii_name)
    return response
