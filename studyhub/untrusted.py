"""Files from users, read in bounded time and memory: rosters (CSV, XLSX), lectures (DOCX).

An Office file is a ZIP archive. Before a byte of it is inflated, ``open_archive`` checks the
number of entries and the sizes they declare. ``zipfile`` never inflates an entry beyond the
size it declares (a lying entry fails its CRC check instead), so the declaration is a real
bound: a 1 KB file cannot become 400 MB. The XML inside is parsed with defusedxml (no DTDs,
no entities) as a stream, and nothing trusts a sheet's declared ``dimension``: rows are
counted as they come and reading stops at a limit that the refusal names. Minutes
attachments are stored, never parsed (``groups.minutes.uploads`` only sniffs their type).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# An .xlsx or .docx has a few dozen parts; thousands are a crafted archive.
MAX_ARCHIVE_ENTRIES = 1000
# XML elements read from one sheet or document: they bound the time reading takes (about
# 2 s at most here). A 10,000-row roster of 9 columns has 280,000; a long lecture far fewer.
MAX_SHEET_ELEMENTS = 400_000
MAX_DOCUMENT_ELEMENTS = 1_000_000
# What openpyxl reads whole (shared strings, styles): a 10,000-row roster needs about 1 MB.
MAX_XLSX_WHOLE_PARTS = 5 * 1024 * 1024


class RefusedFile(ValueError):
    """The file cannot be read; the message says why, naming the limit, in the user's language."""


def open_archive(data: bytes, *, max_unpacked: int, invalid: str) -> zipfile.ZipFile:
    """Open a ZIP upload whose entries, as declared, fit the limits; else refuse it.

    ``invalid`` is the message for a file that is no ZIP archive at all.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise RefusedFile(invalid) from None
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise RefusedFile(
            _("The file holds %(count)s parts; an Office document may hold at most %(limit)s.")
            % {"count": f"{len(entries):,}", "limit": f"{MAX_ARCHIVE_ENTRIES:,}"}
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > max_unpacked:
        raise RefusedFile(
            _("Unpacked, the file would be %(size)s; at most %(limit)s can be read.")
            % {"size": filesizeformat(unpacked), "limit": filesizeformat(max_unpacked)}
        )
    return archive


def _table(rows: Iterable[tuple[int, list[Any]]], *, max_rows: int) -> list[list[Any]]:
    """Return numbered rows as a list (blank rows where numbers skip), up to the last filled.

    A filled row numbered past ``max_rows`` refuses the file; blank rows there do not, so a
    sheet formatted far down is fine.
    """
    table: list[list[Any]] = []
    for number, cells in rows:
        if not any(cell is not None and str(cell).strip() for cell in cells):
            continue
        if number > max_rows:
            raise RefusedFile(
                _("The sheet has more than %(limit)s rows; split it into smaller files.")
                % {"limit": f"{max_rows:,}"}
            )
        table.extend([] for _ in range(number - 1 - len(table)))
        table.append(cells)
    return table


def read_xlsx(
    data: bytes, *, max_unpacked: int, max_rows: int, max_columns: int
) -> list[list[Any]]:
    """Return the first sheet's rows (values, the first ``max_columns`` columns)."""
    from openpyxl import load_workbook  # openpyxl parses with defusedxml when it is installed

    invalid = _("The file is not a valid .xlsx workbook.")
    with open_archive(data, max_unpacked=max_unpacked, invalid=invalid) as archive:
        # openpyxl reads shared strings and styles whole, unlike the sheet: keep them small.
        whole = sum(e.file_size for e in archive.infolist() if "worksheets/" not in e.filename)
    if whole > MAX_XLSX_WHOLE_PARTS:
        raise RefusedFile(
            _("Unpacked, the workbook's strings and styles would be %(size)s; at most %(limit)s.")
            % {"size": filesizeformat(whole), "limit": filesizeformat(MAX_XLSX_WHOLE_PARTS)}
        )
    try:
        with _dimensions_unread():
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl wraps what its parser raised in a ValueError
        if isinstance(error.__cause__ or error.__context__ or error, DefusedXmlException):
            raise _forbidden_xml() from None
        raise
    try:
        return _table(_sheet_rows(workbook, max_columns=max_columns), max_rows=max_rows)
    except DefusedXmlException:
        raise _forbidden_xml() from None
    finally:
        workbook.close()


def _too_complex(limit: int) -> RefusedFile:
    return RefusedFile(
        _("The file is too complex to read: it holds more than %(limit)s entries.")
        % {"limit": f"{limit:,}"}
    )


@contextmanager
def _dimensions_unread() -> Iterator[None]:
    """Keep openpyxl from looking for each sheet's ``dimension`` as it opens the workbook.

    Where a sheet has none it reads the whole sheet for it (the XML of a sheet with a row of a
    million cells: seconds and 100 MB), and we never use it. Only our upload reading opens
    workbooks read-only in the web process, so the swap cannot reach another reader.
    """
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    original = ReadOnlyWorksheet._get_size
    ReadOnlyWorksheet._get_size = lambda self: None
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = original


def _sheet_rows(workbook: Any, *, max_columns: int) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number, first ``max_columns`` values) of the first sheet, one row at a time.

    openpyxl's own row reader holds a whole row's XML tree, so a row of a million cells
    takes gigabytes, and its read-only sheet pads rows to the declared ``dimension``. This
    reads the same XML as a stream, converts each cell with openpyxl's cell parser (shared
    strings, dates by style, booleans), and drops every element once read.
    """
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser

    sheet = workbook.worksheets[0]
    cells = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    open_elements: list[Any] = []
    values: list[Any] = []
    with sheet._get_source() as source:
        events = iterparse(source, events=("start", "end"), forbid_dtd=True)
        for count, (event, element) in enumerate(events):
            if event == "start":
                if count > 2 * MAX_SHEET_ELEMENTS:  # a start and an end event each
                    raise _too_complex(MAX_SHEET_ELEMENTS)
                open_elements.append(element)
                if element.tag == ROW_TAG:
                    cells.row_counter = int(element.get("r") or cells.row_counter + 1)
                    cells.col_counter = 0
                    values = []
                continue
            open_elements.pop()
            if element.tag == CELL_TAG:
                cell = cells.parse_cell(element)
                column = cell["column"]
                if column <= max_columns:
                    values.extend([None] * (column - 1 - len(values)))
                    values.append(cell["value"])
            elif element.tag == ROW_TAG:
                yield cells.row_counter, values
            if 0 < len(open_elements) <= 3:
                # Cells, rows and what lies beside them are let go once read (a cell's
                # own few children go with it), so memory stays flat.
                open_elements[-1].remove(element)


def read_csv(text: str, *, max_rows: int, max_columns: int) -> list[list[Any]]:
    """Return a CSV's rows (the first ``max_columns`` columns), refusing past ``max_rows``."""
    rows = csv.reader(io.StringIO(text))
    return _table(
        ((number, row[:max_columns]) for number, row in enumerate(rows, start=1)),
        max_rows=max_rows,
    )


def _forbidden_xml() -> RefusedFile:
    return RefusedFile(
        _("The file contains XML declarations that Office documents never have; it is refused.")
    )


# --- .docx ------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Inside a paragraph, text in these is not the paragraph's own: drawings and text boxes
# (whose text Word also repeats in mc:AlternateContent), embedded objects, deletions.
_NOT_PARAGRAPH_TEXT = {
    f"{_W}drawing",
    f"{_W}pict",
    f"{_W}object",
    f"{_W}txbxContent",
    f"{_W}del",
    f"{_MC}AlternateContent",
}
_BREAKS = {f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}tab": "\t"}
_W_BODY, _W_P, _W_T = f"{_W}body", f"{_W}p", f"{_W}t"


def docx_paragraphs(data: bytes, *, max_unpacked: int, max_characters: int) -> list[str]:
    """Return the text of a .docx's body paragraphs, as Word shows them, streaming its XML.

    Paragraphs in tables, headers and text boxes are left out, like python-docx's
    ``Document.paragraphs``; tracked insertions are kept and deletions dropped.
    """
    invalid = _("The file is not a valid .docx document.")
    with open_archive(data, max_unpacked=max_unpacked, invalid=invalid) as archive:
        try:
            source = archive.open("word/document.xml")
        except KeyError:
            raise RefusedFile(invalid) from None
        try:
            with source:
                return _body_paragraphs(source, max_characters=max_characters)
        except DefusedXmlException:
            raise _forbidden_xml() from None
        except (ParseError, zipfile.BadZipFile, EOFError, OSError):
            raise RefusedFile(_("The file is not a valid .docx document.")) from None


def _body_paragraphs(source: Any, *, max_characters: int) -> list[str]:
    paragraphs: list[str] = []
    characters = 0
    open_elements: list[Any] = []  # from the root down to the element being read
    parts: list[str] = []  # the text of the body paragraph being read
    in_paragraph = False
    hidden = 0  # how many open elements hide their text from the paragraph
    events = iterparse(source, events=("start", "end"), forbid_dtd=True)
    for count, (event, element) in enumerate(events):
        tag = element.tag
        if event == "start":
            if count > 2 * MAX_DOCUMENT_ELEMENTS:  # a start and an end event each
                raise _too_complex(MAX_DOCUMENT_ELEMENTS)
            open_elements.append(element)
            if tag in _NOT_PARAGRAPH_TEXT:
                hidden += 1
            elif len(open_elements) == 3 and tag == _W_P and open_elements[1].tag == _W_BODY:
                in_paragraph = True
            continue
        open_elements.pop()
        if tag in _NOT_PARAGRAPH_TEXT:
            hidden -= 1
        elif not in_paragraph or hidden:
            pass
        elif tag == _W_T:
            parts.append(element.text or "")
        elif tag in _BREAKS:
            parts.append(_BREAKS[tag])
        elif tag == _W_P and len(open_elements) == 2:
            in_paragraph = False
            text = "".join(parts)
            parts.clear()
            characters += len(text)
            if characters > max_characters:
                raise RefusedFile(
                    _("The document has more than %(limit)s characters of text.")
                    % {"limit": f"{max_characters:,}"}
                )
            paragraphs.append(text)
        if open_elements:
            # Each element is dropped once read (it is its parent's only child by then), so
            # memory stays flat however long the document.
            open_elements[-1].remove(element)
    return paragraphs
