"""Turn a lecture file into an outline: bytes in, data out, no database.

`parse_file(data, filename)` is the entry point; it raises `LectureImportError` with a
message fit to show a user when the file cannot be read as a lecture.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import PurePath

from django.utils.translation import gettext as _

from lessons.glossary import standard_definitions
from studyhub.untrusted import RefusedFile, docx_paragraphs


class LectureImportError(ValueError):
    """The file cannot be imported; the message says why, in the user's language."""


@dataclass
class OutlineSection:
    number: str
    title: str
    level: int
    paragraphs: list[str] = field(default_factory=list)
    children: list[OutlineSection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "children": [child.as_dict() for child in self.children],
        }


@dataclass
class OutlineTerm:
    term: str
    kind: str  # "formula" (四个意识) or "phrase" (有事好商量); KeyTerm.Kind values
    occurrences: int


@dataclass
class Outline:
    title: str
    subtitle: str | None
    preamble: list[str]
    sections: list[OutlineSection]
    terms: list[OutlineTerm]
    text_hash: str
    salutation: str | None = None
    speaker: str | None = None
    delivered_on: date | None = None

    def as_dict(self) -> dict:
        """Return the stable JSON shape of `import_lecture --dry-run --json` (see README)."""
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "preamble": list(self.preamble),
            "sections": [section.as_dict() for section in self.sections],
            "terms": [{"term": t.term, "occurrences": t.occurrences} for t in self.terms],
        }

    def to_stash(self) -> dict:
        """Return the whole outline as JSON data, kept in the session from preview to confirm."""
        data = asdict(self)
        data["delivered_on"] = self.delivered_on.isoformat() if self.delivered_on else None
        return data

    @classmethod
    def from_stash(cls, data: dict) -> Outline:
        def section(node: dict) -> OutlineSection:
            return OutlineSection(**{**node, "children": [section(c) for c in node["children"]]})

        delivered_on = data["delivered_on"]
        return cls(
            **{
                **data,
                "sections": [section(node) for node in data["sections"]],
                "terms": [OutlineTerm(**term) for term in data["terms"]],
                "delivered_on": date.fromisoformat(delivered_on) if delivered_on else None,
            }
        )

    def walk(self) -> Iterator[OutlineSection]:
        """Yield every section in document order."""

        def visit(nodes: list[OutlineSection]) -> Iterator[OutlineSection]:
            for node in nodes:
                yield node
                yield from visit(node.children)

        yield from visit(self.sections)


def term_pattern(spellings: Iterable[str]) -> re.Pattern[str]:
    """Compile one pattern for all spellings, longest first, so 四个意识 wins over 四个."""
    ordered = sorted(set(spellings), key=lambda s: (-len(s), s))
    return re.compile("|".join(re.escape(s) for s in ordered))


def count_terms(text: str, pattern: re.Pattern[str]) -> Counter[str]:
    """Count non-overlapping matches of each spelling in the text."""
    return Counter(match.group(0) for match in pattern.finditer(text))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------

MAX_BYTES = 2 * 1024 * 1024
# A .docx of MAX_BYTES may unpack to this much (its XML is verbose), and hold this much text:
# a long lecture is 50,000 characters. Anything beyond is refused before it is read.
DOCX_MAX_UNPACKED = 30 * 1024 * 1024
MAX_CHARACTERS = 1_000_000
TEXT_SUFFIXES = {".txt", ".text"}


def read_source(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> str:
    """Return the file's text, or raise LectureImportError naming what is wrong with it."""
    suffix = PurePath(filename or "").suffix.lower()
    if len(data) > max_bytes:
        raise LectureImportError(
            _("The file is %(size)s; files up to %(limit)s can be imported.")
            % {"size": _megabytes(len(data)), "limit": _megabytes(max_bytes)}
        )
    if suffix == ".doc":
        raise LectureImportError(
            _("Old Word .doc files cannot be read: save the file as .docx or .txt and try again.")
        )
    if suffix not in TEXT_SUFFIXES | {".docx"}:
        raise LectureImportError(
            _("“%(name)s” is not a supported file type: upload a .txt or .docx file.")
            % {"name": PurePath(filename or "?").name}
        )
    if not data.strip():
        raise LectureImportError(_("The file is empty."))
    text = _read_docx(data) if suffix == ".docx" else _decode_text(data)
    if not text.strip():
        raise LectureImportError(_("The file contains no text."))
    return text


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK — whichever fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data:
            raise LectureImportError(_("This looks like a binary file, not text."))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise LectureImportError(
                    _("The text could not be read: it is neither UTF-8 nor GBK.")
                ) from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f\v")
    if controls > max(3, len(text) // 200):
        raise LectureImportError(_("This looks like a binary file, not text."))
    return text


def _read_docx(data: bytes) -> str:
    try:
        paragraphs = docx_paragraphs(
            data, max_unpacked=DOCX_MAX_UNPACKED, max_characters=MAX_CHARACTERS
        )
    except RefusedFile as error:
        raise LectureImportError(str(error)) from None
    return "\n".join(paragraphs)


# ---------------------------------------------------------------------------
# Lines: normalising and removing a document website's boilerplate
# ---------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)

# Lines a document website puts above the text: upload stamps, author, summary, breadcrumbs.
_HEADER_NOISE = re.compile(
    r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*\d{1,2}:\d{2}"  # 2020-11-03 14:40:40…
    r"|下载本文|会员上传|上传者|小编|收藏本文|分享到|举报"
    r"|^(作者|来源|出处|发布|发布时间|发布日期|更新时间|浏览|浏览次数|阅读|阅读次数|字号|"
    r"简介|摘要|关键词|标签|当前位置|您的位置)\s*[:：]"
    r"|^(首页|主页)\s*[>›»/]"
)
# Lines that start a website's footer: download links, format notes, disclaimers, "related".
_FOOTER_START = re.compile(
    r"^(点此处|点击此处|点击|立即)?下载.{0,200}(word|docx?|pdf|wps|格式|文档)"
    r"|文档为\s*\w{0,8}\s*格式"
    r"|^(将本文档|本文档|本文)下载"
    r"|^(免责)?声明\s*[:：]|^版权(声明|所有)"
    r"|^(相关|更多|热门|推荐)(范文|文章|文档|阅读|推荐|内容|资料)"
    r"|^(上一篇|下一篇)\s*[:：]",
    re.IGNORECASE,
)


def _clean_lines(text: str) -> list[str]:
    """Split into stripped, non-empty lines with invisible characters removed."""
    text = text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for raw in text.split("\n"):
        line = raw.replace("\u3000", " ").replace("\xa0", " ").strip()
        line = re.sub(r"[ \t]{2,}", " ", line)
        if line:
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------
# Headings
# ---------------------------------------------------------------------------

_CN = "一二三四五六七八九十"
# (rank, pattern): a lower rank is a higher level; the levels a lecture uses are relative.
_HEADING_STYLES: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(rf"^(第[{_CN}]{{1,3}}(?:部分|章|讲|篇))\s*[、：:.．]?\s*(\S.*)$")),
    (1, re.compile(rf"^([{_CN}]{{1,3}})\s*[、,，.．]\s*(\S.*)$")),
    (2, re.compile(rf"^[（(]\s*([{_CN}]{{1,3}})\s*[）)]\s*[、,，.．]?\s*(\S.*)$")),
    (3, re.compile(r"^(\d{1,2})\s*[.．、]\s*(?!\d)(\S.*)$")),
    (4, re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*[、.．]?\s*(\S.*)$")),
]
_MAX_TITLE = {0: 60, 1: 60, 2: 60, 3: 50, 4: 50}
_SENTENCE_END = "。！？!?"
_TITLE_TRAILING = "。.；;：:，, "
# A run-in heading: a short phrase closed by 。 (or a colon) that opens its paragraph.
_RUN_IN = re.compile(r"^([^\s，,。；;：:！？!?、“”\"《》（）()]{2,12})[。：:]\s*(\S.*)$")
_SALUTATION = re.compile(r"^[\u4e00-\u9fff、，,·和及 ]{1,30}[:：]$")
_DATE_LINE = re.compile(r"^[（(]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[）)]?$")
_SPEAKER_LINE = re.compile(r"^(主讲人?|讲话人|报告人|宣讲人)\s*[:：]\s*(\S.{0,30})$")
_SUBTITLE = re.compile(r"^(——|—|--)\s*(\S.*)$")


@dataclass
class _Heading:
    rank: int
    number: str
    title: str
    rest: str  # text after the heading's first sentence, when the line runs on


def _match_heading(line: str) -> _Heading | None:
    for rank, pattern in _HEADING_STYLES:
        match = pattern.match(line)
        if not match:
            continue
        digits, text = match.groups()
        end = next((i for i, ch in enumerate(text) if ch in _SENTENCE_END), None)
        title, rest = (text, "") if end is None else (text[: end + 1], text[end + 1 :].strip())
        title = title.rstrip(_TITLE_TRAILING)
        if not title or len(title) > _MAX_TITLE[rank]:
            return None  # a numbered point that is a whole paragraph, not a heading
        number = {0: digits, 1: digits, 2: f"（{digits}）", 3: digits, 4: f"（{digits}）"}[rank]
        return _Heading(rank, number, title, rest)
    return None


# ---------------------------------------------------------------------------
# Paragraphs: re-joining lines that copying broke mid-sentence
# ---------------------------------------------------------------------------

_PAIRS = [("《", "》"), ("“", "”"), ("（", "）"), ("(", ")"), ("‘", "’"), ("「", "」")]
_CLOSERS = "”’」』）)》"


def _unclosed(text: str) -> str | None:
    for opener, closer in _PAIRS:
        if text.count(opener) > text.count(closer):
            return opener
    return None


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in "。！？!?…；;：:"


def _continues(previous: str, line: str) -> bool:
    """Tell whether a line carries on the paragraph before it."""
    if _unclosed(previous):
        return True
    return not _ends_sentence(previous) and len(previous) >= 10


def _join(previous: str, line: str) -> str:
    # A break inside 《…》 is where a two-part title was set on two lines: keep a space.
    ascii_edge = previous[-1].isascii() and line[0].isascii()
    sep = " " if _unclosed(previous) == "《" or (ascii_edge and previous[-1].isalnum()) else ""
    return previous + sep + line


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1] = _join(paragraphs[-1], line)
        else:
            paragraphs.append(line)
    return paragraphs


# ---------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------


def _split_run_in(section: OutlineSection) -> None:
    """Turn a run of parallel 'phrase。text' paragraphs into subsections."""
    for child in section.children:
        _split_run_in(child)
    if section.children:
        return
    heads = [i for i, p in enumerate(section.paragraphs) if _RUN_IN.match(p)]
    if len(heads) < 2:
        return
    intro = section.paragraphs[: heads[0]]
    for index, start in enumerate(heads):
        end = heads[index + 1] if index + 1 < len(heads) else len(section.paragraphs)
        phrase, first = _RUN_IN.match(section.paragraphs[start]).groups()
        section.children.append(
            OutlineSection(
                number="",
                title=phrase,
                level=section.level + 1,
                paragraphs=[first, *section.paragraphs[start + 1 : end]],
            )
        )
    section.paragraphs = intro


def _build_tree(lines: list[str]) -> list[OutlineSection]:
    roots: list[OutlineSection] = []
    stack: list[tuple[int, OutlineSection]] = []
    pending: list[str] = []

    def flush() -> None:
        if stack:
            stack[-1][1].paragraphs.extend(_paragraphs(pending))
        pending.clear()

    for line in lines:
        heading = _match_heading(line)
        if heading is None:
            pending.append(line)
            continue
        flush()
        while stack and stack[-1][0] >= heading.rank:
            stack.pop()
        node = OutlineSection(number=heading.number, title=heading.title, level=len(stack) + 1)
        (stack[-1][1].children if stack else roots).append(node)
        stack.append((heading.rank, node))
        if heading.rest:
            pending.append(heading.rest)
    flush()
    for root in roots:
        _split_run_in(root)
    return roots


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class _FrontMatter:
    title: str
    subtitle: str | None
    salutation: str | None
    speaker: str | None
    delivered_on: date | None
    preamble: list[str]


def _drop_header_noise(lines: list[str]) -> list[str]:
    """Drop a website's furniture, which only stands above the lecture's own text."""
    kept: list[str] = []
    in_header = True
    for line in lines:
        if in_header and _HEADER_NOISE.search(line):
            continue
        if _SALUTATION.match(line) or (len(line) > 80 and _ends_sentence(line)):
            in_header = False
        kept.append(line)
    return kept


def _front_matter(lines: list[str], fallback_title: str) -> _FrontMatter:
    """Read the title block, salutation and preamble that stand before the first heading."""
    lines = _drop_header_noise(lines)
    salutation_at = next((i for i, line in enumerate(lines) if _SALUTATION.match(line)), None)
    if salutation_at is not None:
        block, preamble_lines = lines[:salutation_at], lines[salutation_at + 1 :]
    else:
        # Without a salutation, the title block is the leading short lines without a full stop.
        cut = 0
        while cut < len(lines) and len(lines[cut]) <= 60 and not _ends_sentence(lines[cut]):
            cut += 1
        block, preamble_lines = lines[:cut], lines[cut:]

    titles: list[str] = []
    subtitle = speaker = None
    delivered_on = None
    for line in block:
        if match := _DATE_LINE.match(line):
            try:
                delivered_on = date(*map(int, match.groups()))
            except ValueError:
                titles.append(line)
        elif match := _SPEAKER_LINE.match(line):
            speaker = match.group(2)
        elif match := _SUBTITLE.match(line):
            subtitle = match.group(0).lstrip("—-").strip()
            subtitle = f"——{subtitle}"
        else:
            titles.append(line)
    # Document sites repeat the title above the text, often on one line where the text
    # sets it on two: keep one copy.
    if len(titles) > 1 and _compact(titles[0]) == _compact("".join(titles[1:])):
        titles = titles[1:]
    titles = list(dict.fromkeys(titles))
    title = " ".join(titles).strip() or fallback_title
    return _FrontMatter(
        title=title[:200],
        subtitle=subtitle,
        salutation=lines[salutation_at] if salutation_at is not None else None,
        speaker=speaker,
        delivered_on=delivered_on,
        preamble=_paragraphs(preamble_lines),
    )


def _strip_footer(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if index > 0 and _FOOTER_START.search(line):
            return lines[:index]
    return lines


# ---------------------------------------------------------------------------
# Key terms
# ---------------------------------------------------------------------------

_QUOTED = re.compile(r"[“‘「『]([^“”‘’「」『』\n]{2,16})[”’」』]")
_NUMERALS = "一二三四五六七八九十两百千"
_TERM_CHARS = re.compile(r"^[\u4e00-\u9fff、·•+＋0-9]+$")
# Unquoted numbered formulas such as 四个意识; the stop list keeps ordinary counts out.
_UNQUOTED_FORMULA = re.compile(r"[两三四五六七八九十]个[\u4e00-\u9fff]{2}")
_NOT_FORMULA = re.compile(
    r"个(方面|问题|阶段|时期|环节|部分|层次|月份|小时|多月|以上|领域|重点|工作)"
)


def _is_term(phrase: str) -> bool:
    # 的 marks a description (“党的组织路线”), not a name; punctuation marks a quotation.
    cjk = sum(1 for ch in phrase if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 2 and "的" not in phrase and bool(_TERM_CHARS.match(phrase))


def _is_formula(term: str) -> bool:
    return any(ch in _NUMERALS for ch in term.lstrip("一"))


def extract_terms(body: str, vocabulary: Iterable[str] = ()) -> list[OutlineTerm]:
    """Find the lecture's key terms and count them, longest spelling first.

    Terms are quoted short phrases, numbered formulas, and any of the known `vocabulary`
    (the built-in glossary) that the text uses, quoted or not.
    """
    quoted = Counter(m.group(1) for m in _QUOTED.finditer(body) if _is_term(m.group(1)))
    candidates = {
        phrase
        for phrase, seen in quoted.items()
        # A two-character quote (“铸魂”) is rhetoric unless it is a formula or recurs.
        if len(phrase) > 2 or _is_formula(phrase) or seen > 1
    }
    candidates.update(term for term in vocabulary if term in body)
    for match in _UNQUOTED_FORMULA.finditer(body):
        phrase = match.group(0)
        if not _NOT_FORMULA.search(phrase) and not any(phrase in c for c in candidates):
            candidates.add(phrase)
    if not candidates:
        return []
    counts = count_terms(body, term_pattern(candidates))
    terms = [
        OutlineTerm(term=term, kind="formula" if _is_formula(term) else "phrase", occurrences=n)
        for term, n in counts.items()
    ]
    terms.sort(key=lambda t: (-t.occurrences, t.term))
    return terms


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def parse_file(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> Outline:
    """Read an uploaded lecture file into an outline."""
    text = read_source(data, filename, max_bytes=max_bytes)
    return parse_text(text, fallback_title=PurePath(filename or "").stem)


def parse_text(text: str, *, fallback_title: str = "") -> Outline:
    """Parse a lecture's text into title, preamble, section tree and key terms."""
    lines = _strip_footer(_clean_lines(text))
    first_heading = next((i for i, line in enumerate(lines) if _match_heading(line)), len(lines))
    front = _front_matter(lines[:first_heading], fallback_title or _("Untitled lecture"))
    sections = _build_tree(lines[first_heading:])
    if not sections and not front.preamble:
        raise LectureImportError(_("No lecture text was found in the file."))
    if not sections:
        # A lecture without numbered headings is read as one section.
        sections = [
            OutlineSection(number="", title=front.title, level=1, paragraphs=front.preamble)
        ]
        front.preamble = []
        _split_run_in(sections[0])
    outline = Outline(
        title=front.title,
        subtitle=front.subtitle,
        preamble=front.preamble,
        sections=sections,
        terms=[],
        text_hash="",
        salutation=front.salutation,
        speaker=front.speaker,
        delivered_on=front.delivered_on,
    )
    outline.terms = extract_terms(_body_text(outline), standard_definitions())
    # The hash covers the content, not the bytes: the same lecture in GBK or as .docx
    # is recognised as already imported.
    content = {**outline.as_dict(), "terms": None}
    outline.text_hash = text_hash(json.dumps(content, ensure_ascii=False, sort_keys=True))
    return outline


def _body_text(outline: Outline) -> str:
    parts = list(outline.preamble)
    for section in outline.walk():
        parts.append(section.title)
        parts.extend(section.paragraphs)
    return "\n".join(parts)
