"""The record of downloads that carry members' phone numbers and birth dates (个人信息保护法)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


GROUP = "组织部"
MODEL = "personaldataexport"


def grant(apps, schema_editor):
    # The 组织部 holds every permission of ours (migration 0013); the admin still refuses
    # to add, change or delete these records, so in effect they may only read them. The
    # steps are 0013's, copied: a migration is history and must not import another's code.
    for app_config in apps.get_app_configs():
        loaded = getattr(app_config, "models_module", None)
        app_config.models_module = loaded or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = loaded
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="groups", content_type__model=MODEL)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="groups", content_type__model=MODEL).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0014_attachment_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonalDataExport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "exported_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="exported at"
                    ),
                ),
                ("username", models.CharField(max_length=150, verbose_name="login")),
                (
                    "export",
                    models.CharField(
                        choices=[("roster", "roster")], max_length=20, verbose_name="export"
                    ),
                ),
                (
                    "file_format",
                    models.CharField(
                        choices=[("csv", "CSV"), ("xlsx", "XLSX")],
                        max_length=10,
                        verbose_name="format",
                    ),
                ),
                ("branch_name", models.CharField(max_length=100, verbose_name="branch name")),
                ("rows", models.PositiveIntegerField(verbose_name="rows")),
                ("unmasked_rows", models.PositiveIntegerField(verbose_name="rows in full")),
                (
                    "branch",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="personal_data_exports",
                        to="groups.branch",
                        verbose_name="branch",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="personal_data_exports",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "personal data export",
                "verbose_name_plural": "personal data exports",
                "ordering": ["-exported_at", "-pk"],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
