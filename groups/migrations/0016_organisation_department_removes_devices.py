"""The 组织部 may see who uses two-step verification and remove a lost device in the admin."""

from django.db import migrations

GROUP = "组织部"
DEVICE_PERMISSIONS = {
    "otp_totp": ("view_totpdevice", "delete_totpdevice"),
    "otp_static": ("view_staticdevice", "delete_staticdevice"),
}


def _permissions(apps):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after migrating; make them now so a fresh database gets them too.
    for label in DEVICE_PERMISSIONS:
        app_config = apps.get_app_config(label)
        loaded = getattr(app_config, "models_module", None)
        app_config.models_module = loaded or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = loaded
    Permission = apps.get_model("auth", "Permission")
    return [
        permission
        for label, codenames in DEVICE_PERMISSIONS.items()
        for permission in Permission.objects.filter(
            content_type__app_label=label, codename__in=codenames
        )
    ]


def grant(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0015_personal_data_export_audit"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
