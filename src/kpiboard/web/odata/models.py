"""The Figures entity set, kept as rows: every approved figure with the engine's statuses.

A figure's statuses come from ``evaluate()`` for the figure's own period (see
:mod:`kpiboard.web.odata.figures`); evaluating 120 months of a 1,000-indicator register takes a
minute, far too long for a request, so the rows are written once per data version and the feed
filters, sorts and pages them in SQL. Numbers are floats here (the JSON of ``kpiboard evaluate``
gives them as floats too) so that ``$filter=value gt 90`` compares numbers, not text.

Each row also keeps itself as the JSON object the Figures set answers (``document``), written
once with the row: a page of whole rows, which is what Power BI reads when it refreshes a table,
is then those texts joined, with no work per value in the request.
"""

from __future__ import annotations

from django.db import models


class FigureSnapshot(models.Model):
    """The data version the :class:`FigureRow` rows were built from."""

    version = models.PositiveBigIntegerField(unique=True)
    built = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"figures at data version {self.version}"


class FigureRow(models.Model):
    """One approved figure of one indicator for one period of its own frequency, evaluated."""

    version = models.PositiveBigIntegerField()
    position = models.PositiveIntegerField(help_text="The indicator's place in the register")
    ref = models.CharField(max_length=50)
    period = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    frequency = models.CharField(max_length=10)
    name = models.CharField(max_length=500)
    unit = models.CharField(max_length=20)
    direction = models.CharField(max_length=10)
    directorate = models.CharField(max_length=50)
    committees = models.CharField(max_length=500, blank=True)
    value = models.FloatField(null=True)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    as_of = models.CharField(max_length=20, blank=True)
    complete = models.BooleanField(null=True)
    previous_period = models.CharField(max_length=20)
    previous_value = models.FloatField(null=True)
    target = models.FloatField(null=True)
    previous_target = models.FloatField(null=True)
    status = models.CharField(max_length=20)
    previous_status = models.CharField(max_length=20)
    change = models.CharField(max_length=20, null=True)
    change_year_on_year = models.CharField(max_length=20, null=True)
    projected_status = models.CharField(max_length=20, null=True)
    projection_year_end = models.FloatField(null=True)
    neighbour_rank = models.IntegerField(null=True)
    neighbour_group_size = models.IntegerField(null=True)
    neighbour_quartile = models.IntegerField(null=True)
    neighbour_comparison = models.CharField(max_length=20, null=True)
    neighbour_mean = models.FloatField(null=True)
    spc_variation = models.CharField(max_length=30, null=True)
    spc_assurance = models.CharField(max_length=30, null=True)
    recent_trend = models.CharField(max_length=60, null=True)
    commentary = models.TextField(null=True)
    warnings = models.TextField(blank=True)
    document = models.TextField(
        default="",
        help_text="The row as the Figures set's JSON object, every property in $metadata's order",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "ref", "period"], name="one_figure_row")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.period}"
