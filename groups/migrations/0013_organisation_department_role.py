"""The 组织部 role: a group whose members (staff) may manage everything of the organisation
and its lectures in the admin, and create logins for members — not grant permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "组织部"
APPS = ("groups", "lessons")
USER_PERMISSIONS = ("add_user", "change_user", "view_user")


def grant(apps, schema_editor):
    # Permissions are made after migrating; make them now so a fresh database gets them too.
    for app_config in apps.get_app_configs():
        loaded = getattr(app_config, "models_module", None)
        app_config.models_module = loaded or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = loaded
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=APPS),
        *Permission.objects.filter(content_type__app_label="auth", codename__in=USER_PERMISSIONS),
    )


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0012_public_holidays"),
        ("lessons", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
