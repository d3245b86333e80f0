"""Branch rosters (花名册) as spreadsheets: read, check and write them.

A roster is the sheet branches already keep: one member a row under Chinese headers
(姓名 性别 出生日期 手机号 人员类别 入党时间 转正时间 所在支部 [所在党小组]). Files may be
CSV (UTF-8 with or without a BOM, or GBK/GB18030, as Excel and WPS save them) or XLSX.

Reading is in two steps: ``parse_roster`` turns bytes into raw rows (pure, no database),
and ``validate_roster`` resolves branches and categories and matches existing members, so a
preview can show every row's errors before anything is saved (``services.roster_import``).

Matching, so that importing the same roster twice updates instead of duplicating:
 - a row with a phone number matches the member with that phone (in the import's branch
   subtree; with another name it is an error; held by anybody outside the subtree it is
   refused in words that name no one and no organisation);
 - otherwise it matches the active member of the same name in the same branch;
 - otherwise it creates a member (with a login that has no password yet).
A matched member in another branch of the subtree is transferred (a dated period). Columns
missing from the file leave those fields alone; columns present set them, blanks included.

Writing (``roster_rows``) produces the same columns, so an export re-imports cleanly.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _

from groups import conf
from groups.exports.writers import FORMULA_TRIGGERS
from groups.models import Branch, BranchKind, Member, MemberCategory
from groups.models.org import MemberQuerySet, normalise_name, normalise_phone
from groups.org.masking import personal_detail
from groups.permissions import with_personal_details_visible
from studyhub.untrusted import RefusedFile, read_csv, read_xlsx

NAME = "姓名"
GENDER = "性别"
BIRTH_DATE = "出生日期"
PHONE = "手机号"
CATEGORY = "人员类别"
JOINED = "入党时间"
FULL_MEMBER = "转正时间"
BRANCH = "所在支部"
GROUP = "所在党小组"

HEADERS = [NAME, GENDER, BIRTH_DATE, PHONE, CATEGORY, JOINED, FULL_MEMBER, BRANCH, GROUP]
REQUIRED_HEADERS = [NAME, CATEGORY, BRANCH]

# Other spellings seen in branches' own sheets.
HEADER_ALIASES = {
    "名字": NAME,
    "出生年月": BIRTH_DATE,
    "出生时间": BIRTH_DATE,
    "手机": PHONE,
    "手机号码": PHONE,
    "联系电话": PHONE,
    "联系方式": PHONE,
    "类别": CATEGORY,
    "党员类别": CATEGORY,
    "人员类型": CATEGORY,
    "入党日期": JOINED,
    "转正日期": FULL_MEMBER,
    "所在党支部": BRANCH,
    "支部": BRANCH,
    "党支部": BRANCH,
    "党小组": GROUP,
}

# Optional column → Member field, with the parser for its cell.
DATE_COLUMNS = {BIRTH_DATE: "birth_date", JOINED: "joined_party_on", FULL_MEMBER: "full_member_on"}

GENDER_VALUES = {
    "男": Member.Gender.MALE,
    "male": Member.Gender.MALE,
    "m": Member.Gender.MALE,
    "女": Member.Gender.FEMALE,
    "female": Member.Gender.FEMALE,
    "f": Member.Gender.FEMALE,
}
GENDER_LABELS = {Member.Gender.MALE: "男", Member.Gender.FEMALE: "女"}

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*(?:[-/.月]\s*(?P<d>\d{1,2})\s*日?|月?)"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
MIN_YEAR = 1900


@dataclass
class RawRoster:
    """What a file holds: its canonical headers and raw rows, or why it cannot be read."""

    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_stash(self) -> dict[str, Any]:
        """Return what the file held as JSON data, kept in the session from preview to confirm,
        so the file is read once. Date cells become ISO dates, which parse_date reads back."""
        return {
            "headers": self.headers,
            "rows": [
                [line, {h: _storable(v) for h, v in cells.items()}] for line, cells in self.rows
            ],
            "errors": self.errors,
        }

    @classmethod
    def from_stash(cls, data: dict[str, Any]) -> RawRoster:
        rows = [(line, cells) for line, cells in data["rows"]]
        return cls(headers=data["headers"], rows=rows, errors=data["errors"])


def _storable(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # GB18030 is a superset of GBK, what Excel and WPS on Chinese Windows save CSV in.
        return data.decode("gb18030")


def _canonical_header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value or "")).replace("\ufeff", "")
    text = text.replace("（", "(").split("(")[0]  # 出生日期(yyyy-mm-dd) → 出生日期
    return HEADER_ALIASES.get(text, text)


def parse_roster(data: bytes, *, filename: str = "") -> RawRoster:
    """Read a CSV or XLSX roster into raw rows keyed by canonical header; touch no database."""
    roster = RawRoster()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        roster.errors.append(_("This is an old .xls file: save it as .xlsx or CSV and retry."))
        return roster
    limits = {"max_rows": conf.ROSTER_MAX_ROWS, "max_columns": conf.ROSTER_MAX_COLUMNS}
    try:
        if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
            table = read_xlsx(data, max_unpacked=conf.ROSTER_MAX_UNPACKED_BYTES, **limits)
        else:
            table = read_csv(_decode_csv(data), **limits)
    except RefusedFile as refusal:
        roster.errors.append(str(refusal))
        return roster
    except Exception:  # a damaged upload may fail anywhere inside openpyxl or the decoder
        roster.errors.append(_("The file could not be read as CSV or XLSX."))
        return roster

    # Sheets often carry a title line (XX支部党员花名册) above the header: find the header.
    header_index = next(
        (
            index
            for index, row in enumerate(table[:10])
            if NAME in {_canonical_header(cell) for cell in row}
        ),
        None,
    )
    if header_index is None:
        roster.errors.append(_("No header row with a “姓名” column was found."))
        return roster
    headers = [_canonical_header(cell) for cell in table[header_index]]
    roster.headers = [h for h in headers if h in HEADERS]
    missing = [h for h in REQUIRED_HEADERS if h not in roster.headers]
    if missing:
        roster.errors.append(_("Missing column(s): %(columns)s.") % {"columns": "、".join(missing)})
        return roster
    for offset, cells in enumerate(table[header_index + 1 :], start=header_index + 2):
        values = {
            header: cell
            for header, cell in zip(headers, cells, strict=False)
            if header in HEADERS and cell is not None and str(cell).strip() != ""
        }
        if values:
            roster.rows.append((offset, values))
    return roster


def cell_text(value: Any) -> str:
    """Return a cell as trimmed text, undoing the quote an export put before a formula sign."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 13800000000 as 13800000000.0
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def parse_date(value: Any) -> datetime.date:
    """Return the date in a cell (date cell, Excel serial, 2020-01-05, 2020/1/5, 2020年1月5日).

    A year and month alone (出生年月 2020.01) reads as the first of the month.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial day numbers up to 9999-12-31
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(value)
    text = cell_text(value)
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    day = match.group("d")
    return datetime.date(int(match.group("y")), int(match.group("m")), int(day or 1))


@dataclass
class RosterRow:
    """One checked row: what it resolves to, the member it matches, and its errors."""

    CREATE: ClassVar[str] = "create"
    UPDATE: ClassVar[str] = "update"
    UNCHANGED: ClassVar[str] = "unchanged"

    line: int
    name: str = ""
    branch: Branch | None = None
    category: MemberCategory | None = None
    # Member fields this row sets (only the optional columns the file has).
    fields: dict[str, Any] = field(default_factory=dict)
    member: Member | None = None
    action: str = ""
    errors: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class RosterPlan:
    """The checked file: rows to create or update, and every error found."""

    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and not any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if row.errors]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.action for row in self.rows if not row.errors)
        return {action: counted[action] for action in (RosterRow.CREATE, RosterRow.UPDATE)} | {
            RosterRow.UNCHANGED: counted[RosterRow.UNCHANGED],
            "errors": len(self.error_rows),
        }

    def messages(self) -> list[str]:
        """Return every error as one line, file errors first, then 'Row N: …'."""
        lines = list(self.errors)
        for row in self.error_rows:
            lines.extend(
                _("Row %(line)s: %(error)s") % {"line": row.line, "error": error}
                for error in row.errors
            )
        return lines


class _BranchIndex:
    """Branches of the import's scope, found by code or name with no query per row."""

    def __init__(self, branches: list[Branch]) -> None:
        self.by_code = {b.code.lower(): b for b in branches}
        self.by_name: dict[str, list[Branch]] = defaultdict(list)
        self.children: dict[str, list[Branch]] = defaultdict(list)
        for branch in branches:
            self.by_name[normalise_name(branch.name)].append(branch)
            self.children[branch.parent_path].append(branch)

    def find(self, label: str, among: list[Branch] | None = None) -> tuple[Branch | None, str]:
        # Sheets pad names as they pad people's (第一　党支部): compare without the padding.
        label = normalise_name(label)
        if among is None:
            by_code, by_name = self.by_code, self.by_name
        else:
            by_code = {b.code.lower(): b for b in among}
            by_name = defaultdict(list)
            for b in among:
                by_name[normalise_name(b.name)].append(b)
        if label.lower() in by_code:
            return by_code[label.lower()], ""
        matches = by_name.get(label, [])
        if len(matches) == 1:
            return matches[0], ""
        if matches:
            return None, _("Several branches are named “%(name)s”: use its code.") % {"name": label}
        return None, _("Unknown branch “%(name)s”.") % {"name": label}


def _category_index() -> dict[str, MemberCategory]:
    index: dict[str, MemberCategory] = {}
    for category in MemberCategory.objects.all():
        for key in (category.name, category.code, category.label_en):
            if key:
                index[normalise_name(key).lower()] = category
    return index


def _check_row(
    line: int,
    values: dict[str, Any],
    headers: list[str],
    branches: _BranchIndex,
    categories: dict[str, MemberCategory],
) -> RosterRow:
    """Check one row's cells on their own (no other rows, no members yet)."""
    row = RosterRow(line=line, cells={key: cell_text(value) for key, value in values.items()})
    row.name = normalise_name(cell_text(values.get(NAME)))
    if not row.name:
        row.errors.append(_("姓名 (name) is missing."))
    elif len(row.name) > Member._meta.get_field("name").max_length:
        row.errors.append(_("姓名 (name) is too long."))

    branch_label = cell_text(values.get(BRANCH))
    if not branch_label:
        row.errors.append(_("所在支部 (branch) is missing."))
    else:
        row.branch, error = branches.find(branch_label)
        if error:
            row.errors.append(error)
    group_label = cell_text(values.get(GROUP))
    if group_label and row.branch is not None:
        group, error = branches.find(group_label, among=branches.children[row.branch.path])
        if group is None:
            row.errors.append(
                _("Unknown party group “%(group)s” in %(branch)s.")
                % {"group": group_label, "branch": row.branch.name}
            )
        row.branch = group

    category_label = cell_text(values.get(CATEGORY))
    row.category = (
        categories.get(normalise_name(category_label).lower()) if category_label else None
    )
    if not category_label:
        row.errors.append(_("人员类别 (category) is missing."))
    elif row.category is None:
        choices = "、".join(dict.fromkeys(c.name for c in categories.values()))
        row.errors.append(
            _("Unknown 人员类别 “%(value)s”: use one of %(choices)s.")
            % {"value": category_label, "choices": choices}
        )

    if GENDER in headers:
        gender_label = cell_text(values.get(GENDER))
        gender = GENDER_VALUES.get(gender_label.lower()) if gender_label else ""
        if gender is None:
            row.errors.append(
                _("性别 must be 男 or 女, not “%(value)s”.") % {"value": gender_label}
            )
        else:
            row.fields["gender"] = gender

    if PHONE in headers:
        phone = normalise_phone(cell_text(values.get(PHONE)))
        if phone and not re.fullmatch(r"\d{7,15}", phone):
            row.errors.append(_("手机号 “%(value)s” is not a phone number.") % {"value": phone})
        row.fields["phone"] = phone

    today = timezone.localdate()
    for column, field_name in DATE_COLUMNS.items():
        if column not in headers:
            continue
        raw = values.get(column)
        if raw is None:
            row.fields[field_name] = None
            continue
        try:
            day = parse_date(raw)
        except ValueError:
            row.errors.append(
                _("%(column)s “%(value)s” is not a date (write it as 2020-01-05).")
                % {"column": column, "value": cell_text(raw)}
            )
            continue
        if day.year < MIN_YEAR or day > today:
            row.errors.append(
                _("%(column)s %(value)s is out of range.") % {"column": column, "value": day}
            )
            continue
        row.fields[field_name] = day
    joined, full = row.fields.get("joined_party_on"), row.fields.get("full_member_on")
    if joined and full and full < joined:
        row.errors.append(_("转正时间 is before 入党时间."))
    birth = row.fields.get("birth_date")
    if birth and joined and joined <= birth:
        row.errors.append(_("入党时间 is before 出生日期."))
    return row


def _match_members(rows: list[RosterRow], root: Branch | None) -> None:
    """Match rows to existing members (phone, else name and branch), in two queries."""
    phones = {row.fields["phone"] for row in rows if row.fields.get("phone")}
    by_phone = {
        m.phone: m
        for m in Member.objects.filter(phone__in=phones).select_related("branch", "category")
    }
    names = {row.name for row in rows if row.name}
    by_name_branch: dict[tuple[str, int], list[Member]] = defaultdict(list)
    for m in Member.objects.active().filter(name__in=names).select_related("branch", "category"):
        by_name_branch[(m.name, m.branch_id)].append(m)

    claimed: dict[int, int] = {}
    for row in rows:
        if row.errors:
            continue
        phone = row.fields.get("phone")
        member = by_phone.get(phone) if phone else None
        if member is not None:
            if root is not None and not member.branch.is_in_subtree_of(root):
                # Phones are unique across the organisation, so the row cannot be saved and
                # must be refused. But the importer may not learn whose number it is, where
                # they are or what became of them (a secretary could test any number): the
                # same words for every holder outside the scope — another branch, another
                # 党委, someone who left — naming no one and no organisation. The refusal
                # itself cannot be hidden (saving would fail); the 组织部, who sees everyone,
                # tells a transfer from a typo.
                row.errors.append(
                    _("手机号 %(phone)s cannot be used here: if it is right, ask the 组织部.")
                    % {"phone": phone}
                )
                continue
            if normalise_name(member.name) != row.name:
                row.errors.append(
                    _("手机号 %(phone)s already belongs to %(name)s.")
                    % {"phone": phone, "name": member.name}
                )
                continue
        else:
            candidates = by_name_branch.get((row.name, row.branch.pk), [])
            if len(candidates) > 1:
                row.errors.append(
                    _("%(count)s members are named %(name)s in %(branch)s: add the phone number.")
                    % {"count": len(candidates), "name": row.name, "branch": row.branch.name}
                )
                continue
            member = candidates[0] if candidates else None
        if member is None:
            row.action = RosterRow.CREATE
            continue
        if not member.is_active:
            row.errors.append(
                _("%(name)s is %(status)s; restore them before importing.")
                % {"name": member.name, "status": member.get_status_display()}
            )
            continue
        if member.pk in claimed:
            row.errors.append(_("Same member as row %(line)s.") % {"line": claimed[member.pk]})
            continue
        claimed[member.pk] = row.line
        row.member = member
        changed = (
            member.branch_id != row.branch.pk
            or member.category_id != row.category.pk
            or any(getattr(member, name) != value for name, value in row.fields.items())
        )
        row.action = RosterRow.UPDATE if changed else RosterRow.UNCHANGED


def validate_roster(raw: RawRoster, *, root: Branch | None = None) -> RosterPlan:
    """Check a parsed roster against the database; root limits it to that branch's subtree."""
    plan = RosterPlan(errors=list(raw.errors), headers=raw.headers)
    if plan.errors:
        return plan
    branches_qs = Branch.objects.subtree_of(root) if root is not None else Branch.objects.all()
    branches = _BranchIndex(list(branches_qs.filter(is_active=True)))
    categories = _category_index()
    plan.rows = [
        _check_row(line, values, raw.headers, branches, categories) for line, values in raw.rows
    ]
    if not plan.rows:
        plan.errors.append(_("The file has no member rows."))
        return plan

    # Duplicates inside the file: the same phone twice, or the same name twice in a branch
    # with no phone to tell them apart.
    first_phone: dict[str, int] = {}
    first_name: dict[tuple[str, int], int] = {}
    for row in plan.rows:
        phone = row.fields.get("phone")
        if phone:
            if phone in first_phone:
                row.errors.append(
                    _("手机号 %(phone)s is also on row %(line)s.")
                    % {"phone": phone, "line": first_phone[phone]}
                )
            else:
                first_phone[phone] = row.line
        elif row.name and row.branch is not None:
            key = (row.name, row.branch.pk)
            if key in first_name:
                row.errors.append(
                    _("%(name)s is also on row %(line)s in the same branch: add phone numbers.")
                    % {"name": row.name, "line": first_name[key]}
                )
            else:
                first_name[key] = row.line
    _match_members(plan.rows, root)
    return plan


# --- Export ---------------------------------------------------------------------------


def _labels(branches: list[Branch]) -> dict[int, str]:
    """Label each branch by name, or by code where the import could not tell it by name.

    所在支部 is looked up among the whole subtree, 所在党小组 among its branch's children,
    so a group's name need only be unique among its siblings.
    """
    names = Counter(b.name for b in branches)
    sibling_names = Counter((b.parent_path, b.name) for b in branches)
    labels = {}
    for b in branches:
        unique = names[b.name] == 1
        if b.kind.code == BranchKind.GROUP:
            unique = unique or sibling_names[(b.parent_path, b.name)] == 1
        labels[b.pk] = b.name if unique else b.code
    return labels


def roster_members(root: Branch) -> MemberQuerySet:
    """Return the members a roster of the subtree lists: the active ones."""
    return Member.objects.active().in_subtree(root)


def roster_rows(*, root: Branch, viewer: Any = None) -> Iterator[list[Any]]:
    """Yield the header then one row per active member of the subtree, in two queries.

    Phone numbers and birth dates the viewer may not see are masked (the command line,
    with no viewer, writes them all).
    """
    branches = list(Branch.objects.subtree_of(root).select_related("kind"))
    by_pk = {b.pk: b for b in branches}
    by_path = {b.path: b for b in branches}
    labels = _labels(branches)
    yield list(HEADERS)
    members = roster_members(root).select_related("category").order_by("branch__path", "name", "pk")
    if viewer is not None:
        members = with_personal_details_visible(viewer, members)
    for member in members.iterator(chunk_size=500):
        branch = by_pk[member.branch_id]
        parent = by_path.get(branch.parent_path)
        # A 党小组 member is written as 所在支部 = the branch above, 所在党小组 = the group,
        # as branches keep their sheets; the import reads it back the same way.
        if branch.kind.code == BranchKind.GROUP and parent is not None:
            branch_label, group_label = labels[parent.pk], labels[branch.pk]
        else:
            branch_label, group_label = labels[branch.pk], ""
        visible = viewer is None or member.personal_details_visible
        yield [
            member.name,
            GENDER_LABELS.get(member.gender, ""),
            personal_detail(member.birth_date, visible=visible),
            personal_detail(member.phone, visible=visible),
            member.category.name,
            member.joined_party_on,
            member.full_member_on,
            branch_label,
            group_label,
        ]
