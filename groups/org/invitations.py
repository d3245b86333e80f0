"""Invitations: a branch manager sends members who never activated their login a link to set
a first password, by email or, for members with only a phone, as a link shown once to hand on.

The link is a token (studyhub.accounts.invitation_token_generator) over the login's password,
so every link of a member stops working once one of them (or a reset) sets a password, and
each after STUDYHUB_INVITATION_DAYS days. MemberInvitation records who was invited, when,
by whom and how; ``used_at`` is filled when the member sets their password through one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Branch, Member, MemberInvitation
from groups.models.org import MemberQuerySet
from groups.reading.reminders import render_email
from studyhub.accounts import invitation_token_generator, never_activated, site_url, user_uid

logger = logging.getLogger(__name__)

# One click emails at most this many, so the request stays short; the next click sends on.
EMAILS_PER_SEND = 100


def with_account_state(members: MemberQuerySet) -> MemberQuerySet:
    """Annotate whether each member's login is activated, its email, and the last invitation."""
    last_invited = MemberInvitation.objects.filter(member=OuterRef("pk")).order_by("-sent_at")
    return members.annotate(
        activated=ExpressionWrapper(
            Q(user__isnull=False) & ~never_activated("user__"), output_field=BooleanField()
        ),
        login_email=ExpressionWrapper(Q(user__email__gt=""), output_field=BooleanField()),
        last_invited_at=Subquery(last_invited.values("sent_at")[:1]),
    )


def invitable_members(branch: Branch) -> MemberQuerySet:
    """Return the active members of the branch subtree whose login was never activated."""
    return (
        Member.objects.active()
        .in_subtree(branch)
        .filter(never_activated("user__"), user__is_active=True)
        .select_related("user")
    )


def invitation_link(user: Any) -> str:
    """Return a new absolute one-time link for the login to set its first password."""
    token = invitation_token_generator.make_token(user)
    return site_url() + reverse("groups:invitation-accept", args=[user_uid(user), token])


@dataclass
class Invited:
    """One invitation made: the link to hand over when it was not emailed."""

    invitation: MemberInvitation
    link: str = ""

    @property
    def emailed(self) -> bool:
        return bool(self.invitation.email)


def _send(member: Member, link: str, connection: Any = None) -> None:
    # In the site's language (render_email), whatever the manager's.
    subject, body = render_email(
        "invitation",
        {
            "member": member,
            "link": link,
            "username": member.user.get_username(),
            "days": settings.STUDYHUB_INVITATION_DAYS,
        },
    )
    EmailMessage(subject, body, to=[member.user.email], connection=connection).send()


def _check_invitable(member: Member) -> None:
    if member.user is None or not member.user.is_active or not member.is_active:
        raise ValidationError(
            _("%(name)s has no login that can be activated.") % {"name": member.name}
        )
    if member.user.has_usable_password():
        raise ValidationError(
            _("%(name)s has already activated their login; they can reset a forgotten password.")
            % {"name": member.name}
        )


def invitation_create(*, member: Member, sent_by: Any) -> Invited:
    """Invite one member: email the link when their login has an address, else return it.

    A link is not stored anywhere; when the manager is shown it, that page is its only copy.
    """
    _check_invitable(member)
    link = invitation_link(member.user)
    email = member.user.email
    try:
        with transaction.atomic():
            invitation = MemberInvitation.objects.create(
                member=member, sent_by=sent_by, email=email
            )
            if email:
                # In the transaction: a failed send records no invitation.
                _send(member, link)
    except Exception as exc:  # the mail server is down or refuses the address
        logger.exception("Could not send an invitation to member %s", member.pk)
        raise ValidationError(
            _("The invitation email could not be sent; try again later.")
        ) from exc
    return Invited(invitation=invitation, link="" if email else link)


@dataclass
class InvitationsResult:
    sent: int = 0
    failed: int = 0
    remaining: int = 0


def invitations_send(*, branch: Branch, sent_by: Any) -> InvitationsResult:
    """Email an invitation to each not yet activated member of the subtree who has an address.

    At most EMAILS_PER_SEND at a time, those invited longest ago (or never) first. Members
    without an address get their link one at a time (invitation_create).
    """
    last_invited = MemberInvitation.objects.filter(member=OuterRef("pk")).order_by("-sent_at")
    waiting = (
        invitable_members(branch)
        .filter(user__email__gt="")
        .annotate(last_invited_at=Subquery(last_invited.values("sent_at")[:1]))
        .order_by("last_invited_at", "pk")
    )
    total = waiting.count()
    members = list(waiting[:EMAILS_PER_SEND])
    result = InvitationsResult(remaining=total - len(members))
    connection = get_connection()
    try:
        connection.open()  # one connection for them all
    except Exception:
        logger.exception("Could not reach the mail server to send invitations")
        result.failed = len(members)
        return result
    try:
        for member in members:
            try:
                with transaction.atomic():
                    MemberInvitation.objects.create(
                        member=member, sent_by=sent_by, email=member.user.email
                    )
                    _send(member, invitation_link(member.user), connection)
            except Exception:  # one bad address or a mail server hiccup must not stop the rest
                logger.exception("Could not send an invitation to member %s", member.pk)
                result.failed += 1
            else:
                result.sent += 1
    finally:
        connection.close()
    return result


@transaction.atomic
def invitation_accept(*, user: Any, password: str) -> Any:
    """Set the login's first password from an invitation and mark its invitations used."""
    user.set_password(password)
    user.save(update_fields=["password"])
    # The token hashed the old password, so every open link of this member is spent now.
    MemberInvitation.objects.filter(member__user=user, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return user
