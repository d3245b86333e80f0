"""The 三会一课 rules the compliance reports judge by, as the 组织部 keeps them.

A kind's default (SessionKind.required_count per period), a rule for a branch's subtree
that overrides it (KindRule; 0 means no requirement there), and a branch excused from a
kind (BranchExemption, that branch only). ``groups.reports.compliance`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from groups.models import Branch, BranchExemption, KindRule, SessionKind
from groups.org.forms import branch_path_labels


@dataclass
class Rules:
    """The rules page: kinds with their defaults, subtree rules and exemptions, each rule and
    exemption with its ``branch_label`` ("第一党支部 / 第一党小组")."""

    kinds: list[SessionKind]
    rules: list[KindRule]
    exemptions: list[BranchExemption]


def rules_overview() -> Rules:
    """Return every rule and exemption, in four queries."""
    rules = list(KindRule.objects.select_related("branch", "kind").order_by("branch__path", "kind"))
    exemptions = list(
        BranchExemption.objects.select_related("branch", "kind").order_by("branch__path", "kind")
    )
    branches = {r.branch.pk: r.branch for r in [*rules, *exemptions]}
    labels = branch_path_labels(list(branches.values()))
    for item in [*rules, *exemptions]:
        item.branch_label = labels[item.branch_id]
    return Rules(
        kinds=list(SessionKind.objects.order_by("position", "pk")),
        rules=rules,
        exemptions=exemptions,
    )


def _whole(required_count: int | None, period: str) -> None:
    if (required_count is None) != (not period):
        raise ValidationError(_("Give both how many sessions and per what period, or neither."))


def kind_default_save(*, kind: SessionKind, required_count: int | None, period: str) -> None:
    """Set a kind's default rule (no count and no period: no requirement by default)."""
    _whole(required_count, period)
    kind.required_count, kind.period = required_count, period
    kind.save(update_fields=["required_count", "period"])


def kind_rule_save(
    *, branch: Branch, kind: SessionKind, required_count: int, period: str
) -> KindRule:
    """Set the rule of a kind in a branch's subtree, replacing the one it had."""
    _whole(required_count, period)
    rule, _created = KindRule.objects.update_or_create(
        branch=branch, kind=kind, defaults={"required_count": required_count, "period": period}
    )
    return rule


def exemption_save(*, branch: Branch, kind: SessionKind, reason: str) -> BranchExemption:
    """Excuse a branch from a kind, with the reason the report shows."""
    exemption, _created = BranchExemption.objects.update_or_create(
        branch=branch, kind=kind, defaults={"reason": reason.strip()}
    )
    return exemption
