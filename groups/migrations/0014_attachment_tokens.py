"""Minutes attachments are addressed by an unguessable token instead of their sequential id."""

import uuid

from django.db import migrations, models


def give_tokens(apps, schema_editor):
    MinutesAttachment = apps.get_model("groups", "MinutesAttachment")
    for attachment in MinutesAttachment.objects.filter(token__isnull=True).only("pk"):
        attachment.token = uuid.uuid4()
        attachment.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0013_organisation_department_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="minutesattachment",
            name="token",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="minutesattachment",
            name="token",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
