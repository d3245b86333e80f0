"""Template helpers of branch trees shown as tables."""

from __future__ import annotations

from django import template

register = template.Library()

# static/css/studyhub.css indents .tree-level-0 to .tree-level-6; deeper rows stay at the last.
DEEPEST_LEVEL = 6


@register.filter
def tree_level(level: int) -> str:
    """Return the class that indents a row of a branch tree by its level (0 for the top)."""
    return f"tree-level-{min(max(int(level), 0), DEEPEST_LEVEL)}"
