"""The table of Django's database cache (settings.CACHES), so `kpiboard migrate` is the only
set-up step: rendered scorecard content is kept there, shared by every app server."""

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("register", "0002_evaluation_cache")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
