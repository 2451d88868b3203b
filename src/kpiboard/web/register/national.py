"""National data for one indicator, uploaded in the web app: the same readers as
``kpiboard import-neighbours`` (Oflog's long CSV, LG Inform's data.table JSON or wide CSV).

The indicator must have a national definition. Its neighbour values for the periods in the file
are replaced, others kept, in one transaction; the run is logged as an import.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction

from kpiboard.analysis.model import NeighbourValue, Unit
from kpiboard.analysis.periods import Frequency
from kpiboard.datafiles.national import read_national
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation


def read_for(
    indicator: models.Indicator, path: Path, metric: str | None
) -> tuple[NeighbourValue, ...]:
    """Every area's values in the file, checked against the indicator (raises DataFileError)."""
    return read_national(
        path,
        ref=indicator.ref,
        metric=metric or None,
        frequency=Frequency(indicator.frequency),
        percent=indicator.unit == Unit.PERCENT,
        year_start_month=organisation().settings.year_start_month,
    )


def summary(rows: Sequence[NeighbourValue]) -> dict[str, Any]:
    periods = sorted({row.period for row in rows}, key=lambda period: period.start)
    return {
        "rows": len(rows),
        "areas": len({row.area_code for row in rows}),
        "periods": [period.label for period in periods],
    }


def apply(
    indicator: models.Indicator, rows: Sequence[NeighbourValue], user: Any, source: str
) -> models.ImportRun:
    periods = {row.period.label for row in rows}
    with transaction.atomic():
        replaced, _ = models.NeighbourValue.objects.filter(
            indicator=indicator, period__in=periods
        ).delete()
        models.NeighbourValue.objects.bulk_create(
            [
                models.NeighbourValue(
                    indicator=indicator,
                    period=row.period.label,
                    period_start=row.period.start,
                    area_code=row.area_code,
                    area_name=row.area_name,
                    value=row.value,
                    lower_ci=row.lower_ci,
                    upper_ci=row.upper_ci,
                    position=position,
                )
                for position, row in enumerate(rows)
            ],
            batch_size=2000,
        )
        models.DataVersion.bump()
        return models.ImportRun.objects.create(
            user=user if getattr(user, "pk", None) else None,
            source=source,
            summary={**summary(rows), "indicator": indicator.ref, "replaced": replaced},
        )
