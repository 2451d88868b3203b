"""Withdrawn publications are taken down unless kept readable (issue 14, finding 3).

Publications withdrawn before this migration were left public; they are taken down by it (the
field's default), since nobody chose to keep them readable and one may have been withdrawn for
exposing personal data. Their rows and files stay, for the team.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="withdrawn_readable",
            field=models.BooleanField(
                default=False,
                help_text="Withdrawn but still readable with the withdrawal notice",
                verbose_name="kept readable after withdrawal",
            ),
        ),
    ]
