"""Hostile uploads, built byte by byte, and a way to measure reading one in a fresh process.

Each bomb is what an audit fed the server: a sheet that declares A1:XFD1048576, archives
that unpack to hundreds of megabytes, entity expansion, thousands of entries, an entry that
lies about its size. ``measure`` reads one in a child process (so its peak memory is its own)
and reports what the user is told, how long it took and the memory it needed.
``make bench`` prints the same figures (bench/run.py).

    python -m tests.bombs roster|lecture FILE   # prints the measurement as JSON
"""

from __future__ import annotations

import io
import json
import os
import resource
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

XLSX_FRAME = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>人员类别</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>所在支部</t></is></c></row>'
)
W_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body>"
)
W_CLOSE = "</w:body></w:document>"
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def _zip(parts: dict[str, Iterable[bytes] | str]) -> bytes:
    """Write a ZIP archive; a part given as chunks is streamed, so it may unpack very large."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            if isinstance(content, str):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as entry:
                for chunk in content:
                    entry.write(chunk)
    return buffer.getvalue()


def _repeat(unit: str, total_bytes: int, head: str = "", tail: str = "") -> Iterable[bytes]:
    yield head.encode()
    block = unit.encode() * max(1, (1 << 20) // len(unit.encode()))
    for _ in range(total_bytes // len(block)):
        yield block
    yield tail.encode()


def xlsx(sheet: Iterable[bytes] | str, **more: Iterable[bytes] | str) -> bytes:
    return _zip({**XLSX_FRAME, "xl/worksheets/sheet1.xml": sheet, **more})


def docx(document: Iterable[bytes] | str) -> bytes:
    return _zip({"word/document.xml": document})


def xlsx_declared_dimension(last_row: int = 1048576) -> bytes:
    """1.7 KB: a sheet declaring A1:XFD{last_row}, with a header and one row far down."""
    return xlsx(
        f'{SHEET_OPEN}<dimension ref="A1:XFD{last_row}"/><sheetData>{HEADER_ROW}'
        f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>王伟</t></is></c></row>'
        "</sheetData></worksheet>"
    )


def xlsx_inflating(megabytes: int = 400) -> bytes:
    """About 1 MB that unpacks to ``megabytes`` of sheet XML."""
    return xlsx(
        _repeat(
            '<row><c t="inlineStr"><is><t>王伟</t></is></c></row>',
            megabytes << 20,
            head=f"{SHEET_OPEN}<sheetData>{HEADER_ROW}",
            tail="</sheetData></worksheet>",
        )
    )


def _xlsx_with_shared_strings(strings: Iterable[bytes] | str) -> bytes:
    """A workbook whose shared strings part (which openpyxl reads whole) is ``strings``."""
    types = XLSX_FRAME["[Content_Types].xml"].replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return xlsx(
        f"{SHEET_OPEN}<sheetData>{HEADER_ROW}</sheetData></worksheet>",
        **{"[Content_Types].xml": types, "xl/sharedStrings.xml": strings},
    )


SST_OPEN = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def xlsx_entity_expansion() -> bytes:
    """A billion laughs in the shared strings."""
    return _xlsx_with_shared_strings(f"{LAUGHS}{SST_OPEN}<si><t>&lol9;</t></si></sst>")


def xlsx_endless_shared_strings(megabytes: int = 19) -> bytes:
    """Shared strings of ``megabytes``, within the 20 MB limit of the whole archive."""
    return _xlsx_with_shared_strings(
        _repeat("<si><t>x</t></si>", megabytes << 20, SST_OPEN, "</sst>")
    )


def xlsx_many_entries(count: int = 5000) -> bytes:
    return _zip({**XLSX_FRAME, **{f"xl/media/{i}.xml": "" for i in range(count)}})


def xlsx_wide_rows(rows: int = 200) -> bytes:
    """Rows whose last cell sits in column XFD (16,384), which would pad every row."""
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>王伟{r}</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>正式党员</t></is></c>'
        f'<c r="C{r}" t="inlineStr"><is><t>第一党支部</t></is></c>'
        f'<c r="XFD{r}"><v>1</v></c></row>'
        for r in range(2, rows + 2)
    )
    return xlsx(f"{SHEET_OPEN}<sheetData>{HEADER_ROW}{body}</sheetData></worksheet>")


def xlsx_one_endless_row(megabytes: int = 19) -> bytes:
    """A row of about 1.2 million cells, within every size limit, and no dimension."""
    return xlsx(
        _repeat(
            "<c><v>1</v></c>",
            megabytes << 20,
            head=f'{SHEET_OPEN}<sheetData>{HEADER_ROW}<row r="2">',
            tail="</row></sheetData></worksheet>",
        )
    )


def xlsx_lying_entry() -> bytes:
    """A sheet of 50 MB whose entry declares 1 KB unpacked."""
    name = "xl/worksheets/sheet1.xml"
    rows = '<row><c t="inlineStr"><is><t>王伟</t></is></c></row>' * (50 << 20 >> 6)
    data = bytearray(xlsx(f"{SHEET_OPEN}<sheetData>{HEADER_ROW}{rows}</sheetData></worksheet>"))
    # The size fields of the entry's local header and of its central directory record.
    local = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset
    struct.pack_into("<I", data, local + 22, 1024)
    offset = struct.unpack_from("<I", data, data.rindex(b"PK\x05\x06") + 16)[0]
    while data[offset : offset + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, offset + 28)
        if data[offset + 46 : offset + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, offset + 24, 1024)
        offset += 46 + name_length + extra_length + comment_length
    return bytes(data)


def docx_inflating(megabytes: int = 650) -> bytes:
    """About 2 MB that unpacks to ``megabytes`` of document XML."""
    return docx(_repeat("<w:p><w:r><w:t>学习</w:t></w:r></w:p>", megabytes << 20, W_OPEN, W_CLOSE))


def docx_entity_expansion() -> bytes:
    return docx(f"{LAUGHS}{W_OPEN}<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>{W_CLOSE}")


def docx_too_much_text(characters: int = 1_200_000) -> bytes:
    paragraph = "<w:p><w:r><w:t>" + "学" * 1000 + "</w:t></w:r></w:p>"
    return docx(W_OPEN + paragraph * (characters // 1000) + W_CLOSE)


ROSTER_BOMBS: dict[str, Callable[[], bytes]] = {
    "xlsx declaring A1:XFD1048576": xlsx_declared_dimension,
    "xlsx unpacking to 400 MB": xlsx_inflating,
    "xlsx with entity expansion": xlsx_entity_expansion,
    "xlsx with 5,000 entries": xlsx_many_entries,
    "xlsx whose entry lies about its size": xlsx_lying_entry,
    "xlsx with a row of 1.2 million cells": xlsx_one_endless_row,
    "xlsx with 19 MB of shared strings": xlsx_endless_shared_strings,
}
LECTURE_BOMBS: dict[str, Callable[[], bytes]] = {
    "docx unpacking to 650 MB": docx_inflating,
    "docx with entity expansion": docx_entity_expansion,
    "docx with 1,200,000 characters": docx_too_much_text,
}


def measure(kind: str, data: bytes, tmp_dir: Path, *, cpu_seconds: int = 60) -> dict:
    """Read ``data`` as a roster or lecture upload in a fresh process; return what happened.

    The result holds ``message`` (what the user is told), ``seconds`` and ``peak_mb``, the
    process's peak memory beyond what it had before reading (``baseline_mb``).
    """
    path = tmp_dir / f"upload-{kind}-{time.monotonic_ns()}"
    path.write_bytes(data)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "studyhub.settings",
        "DJANGO_LANGUAGE": "zh-hans",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.bombs", kind, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        # A CPU-time limit, not a wall-clock timeout: the suite also runs under libfaketime.
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds)),
    )
    return json.loads(done.stdout)


def _memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def _read(kind: str, path: str) -> dict:
    import django

    django.setup()
    from django.utils import translation

    from groups.org.roster import parse_roster
    from lessons.importer import LectureImportError, read_source

    translation.activate("zh-hans")
    data = Path(path).read_bytes()
    # The upload itself is in memory already when a view reads it: not the reader's cost.
    Path("/proc/self/clear_refs").write_text("5")  # the peak restarts from here
    baseline = _memory_mb("VmRSS")
    start = time.perf_counter()
    if kind == "roster":
        errors = parse_roster(data, filename="名册.xlsx").errors
        message = errors[0] if errors else ""
    else:
        try:
            read_source(data, "讲稿.docx")
            message = ""
        except LectureImportError as error:
            message = str(error)
    seconds = time.perf_counter() - start
    return {
        "message": message,
        "seconds": round(seconds, 3),
        "baseline_mb": round(baseline, 1),
        "peak_mb": round(max(0.0, _memory_mb("VmHWM") - baseline), 1),
    }


if __name__ == "__main__":
    print(json.dumps(_read(sys.argv[1], sys.argv[2]), ensure_ascii=False))
