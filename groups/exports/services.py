"""The record of every download that carries members' personal details."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from groups.models import Branch, PersonalDataExport
from groups.models.org import MemberQuerySet
from groups.permissions import with_personal_details_visible


@transaction.atomic
def personal_data_export_record(
    *, user: Any, export: str, file_format: str, branch: Branch, members: MemberQuerySet
) -> PersonalDataExport:
    """Record that the user downloaded the members' file, with how many rows were in full.

    Counted in one query by the same rule the file is masked by, before the file streams,
    so a download cut short is on record too.
    """
    counts = with_personal_details_visible(user, members).aggregate(
        rows=Count("pk"), unmasked_rows=Count("pk", filter=Q(personal_details_visible=True))
    )
    return PersonalDataExport.objects.create(
        user=user,
        username=user.get_username(),
        export=export,
        file_format=file_format,
        branch=branch,
        branch_name=branch.name,
        **counts,
    )
