"""Admin for the organisation: the branch tree, members with their history and roles."""

from __future__ import annotations

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from groups.models import (
    Branch,
    BranchKind,
    BranchRole,
    Member,
    MemberCategory,
    MembershipPeriod,
)


@admin.register(BranchKind)
class BranchKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "label_en", "rank"]
    ordering = ["rank"]


@admin.register(MemberCategory)
class MemberCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "label_en", "has_vote", "rank"]
    ordering = ["rank"]


@admin.register(Branch)
class BranchAdmin(TreeAdmin):
    form = movenodeform_factory(Branch)
    list_display = ["name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


class MembershipPeriodInline(admin.TabularInline):
    model = MembershipPeriod
    extra = 0
    autocomplete_fields = ["branch"]
    # History is written by the transfer service; editing it here would break its dating.
    can_delete = False


class BranchRoleInline(admin.TabularInline):
    model = BranchRole
    extra = 0
    autocomplete_fields = ["branch"]
    can_delete = False


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "category", "status", "phone", "joined_party_on"]
    list_filter = ["status", "category", "branch__kind"]
    search_fields = ["name", "phone", "branch__name", "user__username"]
    list_select_related = ["branch", "category"]
    autocomplete_fields = ["branch", "user"]
    inlines = [MembershipPeriodInline, BranchRoleInline]


@admin.register(BranchRole)
class BranchRoleAdmin(admin.ModelAdmin):
    list_display = ["branch", "role", "member", "started_on", "ended_on"]
    list_filter = ["role", "ended_on"]
    search_fields = ["member__name", "branch__name"]
    list_select_related = ["branch", "member"]
    autocomplete_fields = ["branch", "member"]


@admin.register(MembershipPeriod)
class MembershipPeriodAdmin(admin.ModelAdmin):
    list_display = ["member", "branch", "started_on", "ended_on"]
    search_fields = ["member__name", "branch__name"]
    list_select_related = ["branch", "member"]
    autocomplete_fields = ["branch", "member"]
