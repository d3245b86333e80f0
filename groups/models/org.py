"""The organisation: the branch tree, members, their dated branch history and roles."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from lessons.services import pinyin_sort_key


def local_today() -> datetime.date:
    return timezone.localdate()


def active_on_q(day: datetime.date | None = None, prefix: str = "") -> Q:
    """Return a filter for dated rows ([started_on, ended_on)) that are current on a day."""
    day = day or local_today()
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day})
    )


_NAME_DOTS = "·•・‧"


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF" or char in _NAME_DOTS


def normalise_name(value: str) -> str:
    """Return a person's name without padding: ``王　伟`` → ``王伟``, ``Li  Ming`` → ``Li Ming``.

    Rosters pad two-character names with a full-width space to line up with three-character
    ones; whitespace next to a Chinese character (or a name dot, 买买提·艾力) is dropped,
    and other runs become one space, so Latin names keep theirs.
    """
    words = re.sub(r"\s+", " ", value or "").strip()
    return "".join(
        char
        for index, char in enumerate(words)
        if char != " " or not (_is_wide(words[index - 1]) or _is_wide(words[index + 1]))
    )


def normalise_phone(value: str) -> str:
    """Return a phone number as digits (spaces, dashes and a +86 prefix dropped)."""
    text = re.sub(r"[\s\-()（）]", "", value or "")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


class BranchKind(models.Model):
    """A level of the tree: 党委, 党总支, 党支部, 党小组 (seeded data, editable)."""

    COMMITTEE = "committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    GROUP = "group"

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    label_en = models.CharField(_("English label"), max_length=64, blank=True)
    # Smaller is higher in the tree; used to order and to find "the 党支部 above a 党小组".
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("branch kind")
        verbose_name_plural = _("branch kinds")

    def __str__(self) -> str:
        return self.name


class BranchQuerySet(MP_NodeQuerySet):
    def active(self) -> BranchQuerySet:
        return self.filter(is_active=True)

    def subtree_of(self, branch: Branch) -> BranchQuerySet:
        """Keep the branch and everything under it (one indexed prefix query)."""
        return self.filter(path__startswith=branch.path)


class BranchManager(MP_NodeManager.from_queryset(BranchQuerySet)):
    def get_queryset(self) -> BranchQuerySet:
        return BranchQuerySet(self.model, using=self._db).order_by("path")


class Branch(MP_Node):
    """A party organisation: a node of the 党委 → 党总支 → 党支部 → 党小组 tree."""

    name = models.CharField(_("name"), max_length=100)
    # Stable identifier used by roster files (所在支部 may hold a name or a code).
    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.ForeignKey(
        BranchKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="branches"
    )
    is_active = models.BooleanField(_("active"), default=True)

    # No node_order_by: branches keep the order they were created in (第一, 第二 …), which
    # sorting Chinese names by code point would scramble.
    objects = BranchManager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:branch-detail", args=[self.pk])

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    @property
    def ancestor_paths(self) -> list[str]:
        """Return the paths of this branch's ancestors, root first, without a query."""
        return [self.path[:end] for end in range(self.steplen, len(self.path), self.steplen)]

    def is_in_subtree_of(self, other: Branch) -> bool:
        return self.path.startswith(other.path)


class MemberCategory(models.Model):
    """人员类别: 正式党员, 预备党员, 入党积极分子, 群众 (seeded data)."""

    FULL = "full"
    PROBATIONARY = "probationary"
    ACTIVIST = "activist"
    NON_MEMBER = "non_member"

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32, unique=True)
    label_en = models.CharField(_("English label"), max_length=64, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    # Only 正式党员 vote at a 支部党员大会; quorum counts them.
    has_vote = models.BooleanField(_("has a vote"), default=False)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("member category")
        verbose_name_plural = _("member categories")

    def __str__(self) -> str:
        return self.name


class MemberQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):  # type: ignore[no-untyped-def]
        # save() keeps sort_name; rows made in bulk get it here.
        objs = list(objs)
        for member in objs:
            member.sort_name = pinyin_sort_key(member.name)
        return super().bulk_create(objs, *args, **kwargs)

    def active(self) -> MemberQuerySet:
        return self.filter(status=Member.Status.ACTIVE)

    def in_subtree(self, branch: Branch) -> MemberQuerySet:
        return self.filter(branch__path__startswith=branch.path)

    def with_related(self) -> MemberQuerySet:
        return self.select_related("branch__kind", "category", "user")


class Member(models.Model):
    """A person on a branch roster; the profile of a login user when they have one."""

    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("member status", "active")
        TRANSFERRED_OUT = "transferred_out", _("transferred out")
        SUSPENDED = "suspended", _("membership suspended")
        DECEASED = "deceased", _("deceased")

    # Nullable and SET_NULL: removing a login must never take the member's history with it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    # The name's pinyin, worked out once when the name is saved, for lists sorted by name.
    sort_name = models.CharField(_("sort name"), max_length=200, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    category = models.ForeignKey(
        MemberCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="members"
    )
    joined_party_on = models.DateField(_("joined the party on"), null=True, blank=True)
    full_member_on = models.DateField(_("full member since"), null=True, blank=True)
    # The current branch (a 党支部 or 党小组); MembershipPeriod keeps where they were before.
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="members"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="member_unique_phone"
            ),
            models.CheckConstraint(
                condition=Q(full_member_on__isnull=True)
                | Q(joined_party_on__isnull=True)
                | Q(full_member_on__gte=models.F("joined_party_on")),
                name="member_full_after_joined",
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="member_name_idx"),
            models.Index(fields=["sort_name", "id"], name="member_sort_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.sort_name = pinyin_sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("groups:member-detail", args=[self.pk])

    def clean(self) -> None:
        self.name = normalise_name(self.name)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class MembershipPeriod(models.Model):
    """A dated stay of a member in a branch: [started_on, ended_on)."""

    # PROTECT: a member with history cannot be deleted, only deactivated.
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="periods"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="periods"
    )
    started_on = models.DateField(_("started on"), default=local_today)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["member", "started_on", "pk"]
        verbose_name = _("membership period")
        verbose_name_plural = _("membership periods")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_period",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.branch} ({self.started_on}–{self.ended_on or ''})"


class BranchRoleQuerySet(models.QuerySet):
    def active(self, day: datetime.date | None = None) -> BranchRoleQuerySet:
        return self.filter(active_on_q(day))


class BranchRole(models.Model):
    """A post a member holds in a branch; it lets them manage the branch and its subtree."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY = "deputy", _("deputy secretary")
        ORGANISATION = "organisation", _("organisation committee member")
        PUBLICITY = "publicity", _("publicity committee member")
        DISCIPLINE = "discipline", _("discipline committee member")
        GROUP_LEADER = "group_leader", _("party group leader")

    COMMITTEE_ROLES = frozenset(
        {Role.SECRETARY, Role.DEPUTY, Role.ORGANISATION, Role.PUBLICITY, Role.DISCIPLINE}
    )

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="roles"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    started_on = models.DateField(_("started on"), default=local_today)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = BranchRoleQuerySet.as_manager()

    class Meta:
        ordering = ["branch_id", "started_on", "pk"]
        verbose_name = _("branch role")
        verbose_name_plural = _("branch roles")
        constraints = [
            # A branch has one 书记 at a time; role_assign ends the previous one.
            models.UniqueConstraint(
                fields=["branch"],
                condition=Q(role="secretary", ended_on__isnull=True),
                name="branchrole_one_open_secretary",
            ),
            models.UniqueConstraint(
                fields=["member", "branch", "role"],
                condition=Q(ended_on__isnull=True),
                name="branchrole_unique_open_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="branchrole_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.get_role_display()}: {self.member}"

    @property
    def is_committee(self) -> bool:
        """Return whether the role sits on the branch committee (支委), as 党小组长 does not."""
        return self.role in self.COMMITTEE_ROLES

    def is_active_on(self, day: datetime.date | None = None) -> bool:
        day = day or local_today()
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


class MemberInvitation(models.Model):
    """One invitation to set a password, sent to a member who has never activated their login.

    The link itself is not stored: it is a token over the login's password (studyhub.accounts),
    so it stops working once any invitation or reset has set a password. ``email`` is where it
    was sent; blank means the manager was shown the link to hand over (members with only a
    phone).
    """

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="invitations"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    email = models.EmailField(_("email"), blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")
        indexes = [models.Index(fields=["member", "-sent_at"], name="invitation_member_sent_idx")]

    def __str__(self) -> str:
        return f"{self.member} · {self.sent_at:%Y-%m-%d %H:%M}"
