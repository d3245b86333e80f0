"""The dependency rules of the layout (README, "Layout"), checked on the source so they hold."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def modules(*patterns: str) -> list[Path]:
    return sorted(path for pattern in patterns for path in ROOT.glob(pattern))


def imported(tree: ast.AST) -> Iterator[str]:
    """Yield every module name the source imports, at any depth (function bodies too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(), filename=str(path))


@pytest.mark.parametrize("path", modules("lessons/**/*.py"), ids=lambda p: str(p.relative_to(ROOT)))
def test_lessons_never_imports_groups(path):
    found = [name for name in imported(parse(path)) if name.split(".")[0] == "groups"]
    assert not found, f"{path.relative_to(ROOT)} imports {found}: lessons must not know groups"


TEMPLATE_TAGS = modules("groups/templatetags/*.py", "lessons/templatetags/*.py")


@pytest.mark.parametrize("path", TEMPLATE_TAGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_tags_only_format(path):
    """A tag that queries hides a query count; one that writes is a bug: views build context."""
    tree = parse(path)
    managers = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}
    ]
    data_layers = [
        name
        for name in imported(tree)
        if name.startswith("django.db")
        or any(part in {"services", "selectors", "permissions"} for part in name.split("."))
    ]
    assert not managers, f"{path.name} uses a model manager on lines {managers}"
    assert not data_layers, f"{path.name} imports {data_layers}"


VIEWS = modules("groups/**/views.py", "lessons/views.py", "studyhub/views.py")


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_leave_transactions_to_services(path):
    source = path.read_text()
    assert "atomic" not in source, f"{path.relative_to(ROOT)}: transactions belong in services"


def test_groups_top_level_holds_only_shared_modules_and_packages():
    allowed = {"__init__", "admin", "apps", "conf", "dates", "permissions", "urls"}
    loose = sorted(p.stem for p in (ROOT / "groups").glob("*.py") if p.stem not in allowed)
    assert not loose, f"groups/ has modules outside the domain packages: {loose}"


APP_CODE = [
    path
    for path in modules("groups/**/*.py", "lessons/**/*.py", "studyhub/**/*.py")
    if "migrations" not in path.parts and path.name != "widgets.py"
]
LOCALISED_WIDGETS = {"DateInput", "TimeInput", "DateTimeInput", "SplitDateTimeWidget"}


@pytest.mark.parametrize("path", APP_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_date_and_time_inputs_use_the_iso_widgets(path):
    """Django's own widgets render zh-hans dates (2026/12/02) that a date input rejects."""
    found = [
        node.lineno
        for node in ast.walk(parse(path))
        if isinstance(node, ast.Attribute)
        and node.attr in LOCALISED_WIDGETS
        and isinstance(node.value, ast.Name)
        and node.value.id in {"forms", "widgets"}
    ]
    assert not found, f"{path.relative_to(ROOT)} lines {found}: use studyhub.widgets instead"


# An attribute named hx-… is not valid HTML; htmx reads data-hx-… just the same.
BARE_HTMX_ATTRIBUTE = re.compile(r"(?<![\w-])hx-[a-z-]+=")


@pytest.mark.parametrize(
    "path", modules("templates/**/*.html"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_templates_use_data_hx_attributes(path):
    found = BARE_HTMX_ATTRIBUTE.findall(path.read_text())
    assert not found, (
        f"{path.relative_to(ROOT)} uses {found}: write data-hx-… so the HTML validates"
    )


# A block (a form, a list, a table …) right inside an inline element is invalid HTML, and a
# form inside a <span> is the one browsers mend differently: keep blocks out of spans, links
# and labels (template tags between them do not count).
BLOCK_IN_INLINE = re.compile(
    r"<(span|a|label|button)\b[^>]*>\s*(?:\{%[^%]*%\}\s*)*<(form|div|p|ul|ol|table|section|h[1-6])\b"
)


@pytest.mark.parametrize(
    "path", modules("templates/**/*.html"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_templates_keep_blocks_out_of_inline_elements(path):
    found = [f"<{a}> holds <{b}>" for a, b in BLOCK_IN_INLINE.findall(path.read_text())]
    assert not found, f"{path.relative_to(ROOT)}: {found}"
