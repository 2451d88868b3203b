"""The register's strategic flag (issue 17). An indicator imported before it kept an
``x_strategic`` column among its extra columns; that value moves into the flag."""

from django.db import migrations, models

STRATEGIC_WORDS = {"true", "yes", "1"}  # as kpiboard.analysis.model.Indicator.strategic reads it


def flag_from_extra(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("register", "Indicator")
    for row in Indicator.objects.filter(extra__has_key="x_strategic"):
        value = row.extra.pop("x_strategic")
        row.strategic = str(value).strip().lower() in STRATEGIC_WORDS
        row.save(update_fields=["extra", "strategic"])


def flag_to_extra(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("register", "Indicator")
    for row in Indicator.objects.filter(strategic=True):
        row.extra["x_strategic"] = "true"
        row.save(update_fields=["extra"])


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0007_indicator_ref_safe"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalindicator",
            name="strategic",
            field=models.BooleanField(
                default=False,
                help_text="On the Organisational Scorecard and its directorate's strategic "
                "scorecard",
                verbose_name="Strategic KPI",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="strategic",
            field=models.BooleanField(
                default=False,
                help_text="On the Organisational Scorecard and its directorate's strategic "
                "scorecard",
                verbose_name="Strategic KPI",
            ),
        ),
        migrations.RunPython(flag_from_extra, flag_to_extra),
    ]
