"""Drop the full-width padding rosters put in two-character names (王　伟 → 王伟)."""

from django.db import migrations

from groups.models.org import normalise_name


def normalise_names(apps, schema_editor):
    Member = apps.get_model("groups", "Member")
    padded = []
    for member in Member.objects.only("pk", "name").iterator(chunk_size=2000):
        name = normalise_name(member.name)
        if name != member.name:
            member.name = name
            padded.append(member)
    Member.objects.bulk_update(padded, ["name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0007_session_kind_expected_categories"),
    ]

    operations = [
        migrations.RunPython(normalise_names, migrations.RunPython.noop),
    ]
