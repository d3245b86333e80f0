"""Admin for the organisation: the branch tree, members with their history and roles."""

from __future__ import annotations

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from groups.attendance.services import attendance_refresh
from groups.models import (
    Branch,
    BranchKind,
    BranchRole,
    Member,
    MemberCategory,
    MemberInvitation,
    MembershipPeriod,
)
from groups.org.services import member_deactivate, member_transfer


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

    def save_model(self, request, obj, form, change):
        """Keep a move or a deactivation for its service, run once the inlines are saved,
        so the periods and roles it closes are not overwritten by the unchanged inlines."""
        obj._move_to = obj._leave_as = None
        if change:
            before = Member.objects.get(pk=obj.pk)
            if "branch" in form.changed_data and before.is_active:
                obj._move_to, obj.branch = obj.branch, before.branch
            if "status" in form.changed_data and not obj.is_active and before.is_active:
                obj._leave_as, obj.status = obj.status, before.status
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        member = form.instance
        if member._move_to is not None:
            member_transfer(member=member, branch=member._move_to)
        if member._leave_as is not None:
            member_deactivate(member=member, status=member._leave_as)
        # Category, status or roles may have changed: sessions not yet held follow.
        attendance_refresh(members=[member])


@admin.register(BranchRole)
class BranchRoleAdmin(admin.ModelAdmin):
    list_display = ["branch", "role", "member", "started_on", "ended_on"]
    list_filter = ["role", "ended_on"]
    search_fields = ["member__name", "branch__name"]
    list_select_related = ["branch", "member"]
    autocomplete_fields = ["branch", "member"]

    # A committee role decides who is expected at a 支委会 not yet held.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        attendance_refresh(members=[obj.member])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        attendance_refresh(members=[obj.member])

    def delete_queryset(self, request, queryset):
        members = list(Member.objects.filter(roles__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        attendance_refresh(members=members)


@admin.register(MembershipPeriod)
class MembershipPeriodAdmin(admin.ModelAdmin):
    list_display = ["member", "branch", "started_on", "ended_on"]
    search_fields = ["member__name", "branch__name"]
    list_select_related = ["branch", "member"]
    autocomplete_fields = ["branch", "member"]


@admin.register(MemberInvitation)
class MemberInvitationAdmin(admin.ModelAdmin):
    """Invitations are made on a branch's page; the admin shows them, it does not edit them."""

    list_display = ["member", "sent_at", "sent_by", "email", "used_at"]
    list_filter = ["sent_at", "used_at"]
    list_select_related = ["member", "sent_by"]
    search_fields = ["member__name", "email"]
    date_hierarchy = "sent_at"
    readonly_fields = ["member", "sent_by", "sent_at", "email", "used_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
