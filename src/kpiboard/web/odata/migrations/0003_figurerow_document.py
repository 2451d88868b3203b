"""Each Figures row keeps its own JSON object. Rows built before this have none, so they and
their snapshot are removed: the feed (or ``kpiboard odata_refresh``) builds them again."""

from typing import Any

from django.db import migrations, models


def forget_rows(apps: Any, schema_editor: Any) -> None:
    apps.get_model("odata", "FigureRow").objects.all().delete()
    apps.get_model("odata", "FigureSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("odata", "0002_figures_without_version_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="figurerow",
            name="document",
            field=models.TextField(
                default="",
                help_text="The row as the Figures set's JSON object, every property in "
                "$metadata's order",
            ),
        ),
        migrations.RunPython(forget_rows, migrations.RunPython.noop),
    ]
