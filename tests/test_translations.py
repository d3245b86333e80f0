"""The Chinese catalog is complete and its committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def read_po(path: Path) -> list[dict[str, str]]:
    """Parse a .po file into entries of msgctxt/msgid/msgid_plural/msgstr and flags."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry, key = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid")]


@pytest.fixture(scope="module")
def entries() -> list[dict[str, str]]:
    return read_po(LOCALE / "django.po")


def translation(entry: dict[str, str]) -> str:
    return entry.get("msgstr", entry.get("msgstr[0]", ""))


def test_every_string_is_translated(entries):
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not translation(e).strip()]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalog_matches_the_source(entries):
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        if "msgctxt" in entry:
            got = compiled.pgettext(entry["msgctxt"], entry["msgid"])
        elif "msgid_plural" in entry:
            got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2)
        else:
            got = compiled.gettext(entry["msgid"])
        if got != translation(entry):
            stale.append(entry["msgid"])
    assert stale == [], "run `make messages` (compilemessages) and commit the .mo"


# English words that name different things in different places ("Start" the home page and
# the start time, "Minutes" the meeting record and a duration): one msgid would force one
# Chinese word on all of them, so each use says which it means.
AMBIGUOUS = {"Start", "End", "Minutes", "Reason", "Record", "Open", "Leave"}


def test_ambiguous_words_always_say_which_meaning_they_take(entries):
    bare = sorted(e["msgid"] for e in entries if e["msgid"] in AMBIGUOUS and "msgctxt" not in e)
    assert bare == [], "give these a pgettext context (or {% translate … context … %})"


def test_one_word_takes_one_chinese_word_per_meaning(entries):
    # Two contexts of one English word may share a Chinese word only if they are synonyms.
    chinese: dict[str, dict[str, str]] = {}
    for e in entries:
        if "msgctxt" in e:
            chinese.setdefault(e["msgid"], {})[e["msgctxt"]] = translation(e)
    assert chinese["Start"] == {"home page": "首页", "time of day": "开始时间"}
    assert chinese["Minutes"] == {"meeting record": "会议记录", "duration": "时长（分钟）"}
    assert chinese["Reason"] == {
        "for cancelling": "取消原因",
        "for leave": "请假事由",
        "for an exemption": "豁免理由",
    }
