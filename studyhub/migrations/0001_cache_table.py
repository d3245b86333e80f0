"""The database cache's table, so that `migrate` alone readies a deployment.

createcachetable makes the table of every DatabaseCache in settings.CACHES and skips any that
exists; with Redis configured it does nothing.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
