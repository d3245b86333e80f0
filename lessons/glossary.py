"""StudyHub's built-in glossary: standard party-building terms and their definitions."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

STANDARD_GLOSSARY = Path(__file__).resolve().parent / "data" / "glossary.json"


@cache
def standard_definitions() -> dict[str, str]:
    """Return the shipped definitions of standard terms (三会一课, 四个意识 …)."""
    entries = json.loads(STANDARD_GLOSSARY.read_text(encoding="utf-8"))
    return {term: text for term, text in entries.items() if not term.startswith("_")}
