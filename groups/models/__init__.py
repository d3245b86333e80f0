"""The groups app's models, one module per concern; import them from here."""

from groups.models.org import (
    Branch,
    BranchKind,
    BranchRole,
    Member,
    MemberCategory,
    MembershipPeriod,
)

__all__ = [
    "Branch",
    "BranchKind",
    "BranchRole",
    "Member",
    "MemberCategory",
    "MembershipPeriod",
]
