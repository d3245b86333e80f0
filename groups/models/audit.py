"""Who downloaded members' personal details, and when (个人信息保护法: accountability)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PersonalDataExport(models.Model):
    """One download of a file with members' phone numbers or birth dates in it.

    Written in the request that sends the file and never changed: the admin shows it to
    the 组织部 read-only. The login and branch are also kept as text, so the record still
    says who and what after a login is removed or a branch renamed.
    """

    class Export(models.TextChoices):
        ROSTER = "roster", pgettext_lazy("export", "roster")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    exported_at = models.DateTimeField(_("exported at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="personal_data_exports",
    )
    username = models.CharField(_("login"), max_length=150)
    export = models.CharField(_("export"), max_length=20, choices=Export.choices)
    file_format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    branch = models.ForeignKey(
        "groups.Branch",
        verbose_name=_("branch"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="personal_data_exports",
    )
    branch_name = models.CharField(_("branch name"), max_length=100)
    rows = models.PositiveIntegerField(_("rows"))
    # How many of those rows had their details in full (the rest were masked).
    unmasked_rows = models.PositiveIntegerField(_("rows in full"))

    class Meta:
        ordering = ["-exported_at", "-pk"]
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")

    def __str__(self) -> str:
        return f"{self.username} · {self.get_export_display()} · {self.branch_name}"
