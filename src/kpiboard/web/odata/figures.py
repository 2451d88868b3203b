"""The Figures entity set's rows: every approved figure with what the engine says of it.

A row is one indicator's entry in ``evaluate()`` for one period at the indicator's own frequency
(a monthly indicator's September 2024 row is its entry in ``kpiboard evaluate --period 2024-09
--format json``), flattened: the value, its counts, the target in force, the status, the one
before, the direction of travel, the projected year-end status, the neighbour rank, the control
chart's judgement. Nothing is computed here but the layout: the statuses are ``evaluate()``'s and
the words ``evaluation_to_json``'s, so a row equals that JSON (tests/web/test_odata_powerbi.py).

The dataset is built once and each period evaluates only the indicators with a figure in it,
as ``build_dataset(period=...)`` would have chosen them (an indicator retired or suspended before
the period is left out of that period's evaluation), so 120 months of 1,000 indicators cost 120
evaluations of 1,000 indicators, not 120 database reads.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, connection, transaction

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import Dataset, Indicator
from kpiboard.analysis.periods import Period, parse_period
from kpiboard.analysis.serialise import evaluation_to_json, number
from kpiboard.web.odata.models import FigureRow, FigureSnapshot
from kpiboard.web.periods import month_date
from kpiboard.web.register import models as register
from kpiboard.web.register.dataset import build_dataset, organisation
from kpiboard.web.register.models import DataVersion

__all__ = ["figures_refresh", "figures_version"]

BATCH = 2000
_building = threading.Lock()


def figures_version() -> int:
    """The data version whose rows the feed serves, building them first if the data moved on."""
    version = DataVersion.current()
    if FigureSnapshot.objects.filter(version=version).exists():
        return version
    with _building:  # one build per process; another process's build is refused by the key
        if not FigureSnapshot.objects.filter(version=version).exists():
            figures_refresh(version)
    return version


def figures_refresh(version: int | None = None) -> int:
    """Write the rows for ``version`` (the current data version by default), replacing any
    older ones; returns the number of rows."""
    version = DataVersion.current() if version is None else version
    started = time.perf_counter()
    org = organisation()
    dataset = build_dataset(org=org)
    ended = _ended_from(org.settings.year_start_month)
    # In the register's order, then by period: the feed's order is the primary key's.
    rows = sorted(_rows(dataset, ended, version), key=lambda r: (r["position"], r["period_start"]))
    _add_documents(rows)
    try:
        with transaction.atomic():
            FigureRow.objects.exclude(version=version).delete()
            FigureSnapshot.objects.exclude(version=version).delete()
            FigureRow.objects.filter(version=version).delete()
            _insert(rows)
            FigureSnapshot.objects.create(
                version=version, rows=len(rows), seconds=time.perf_counter() - started
            )
    except IntegrityError:  # another process built the same version first
        pass
    return len(rows)


def _add_documents(rows: list[dict[str, Any]]) -> None:
    """Each row's JSON object, as the Figures set answers it (entities.row_document)."""
    from kpiboard.web.odata.entities import FIGURES, row_document  # entities reads this module

    for row in rows:
        row["document"] = row_document(FIGURES, row)


def _insert(rows: list[dict[str, Any]]) -> None:
    """INSERT the rows with executemany. ``bulk_create`` spent nearly as long preparing each of
    the 4,000,000 values of 120,000 rows through its field as the engine took to evaluate them;
    the values here are already plain numbers, text and dates (dates adapted as the database
    wants them)."""
    fields = [f for f in FigureRow._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(FigureRow._meta.db_table),
        ", ".join(ops.quote_name(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    dates = {"period_start", "period_end"}
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for first in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    tuple(
                        ops.adapt_datefield_value(row[n]) if n in dates else row[n] for n in names
                    )
                    for row in rows[first : first + BATCH]
                ],
            )


def _ended_from(year_start_month: int) -> dict[str, Period]:
    """Each evaluated indicator's first period out of the reports (retired or suspended)."""
    return {
        ref: parse_period(text, None, year_start_month)
        for ref, text in register.Indicator.objects.exclude(ended_from="").values_list(
            "ref", "ended_from"
        )
    }


def _periods(dataset: Dataset, ended: dict[str, Period]) -> dict[Period, list[Indicator]]:
    """The indicators to evaluate in each period: those with a figure of their own frequency
    in it, and still reported then."""
    chosen: dict[Period, list[Indicator]] = defaultdict(list)
    for indicator in dataset.indicators:
        end = ended.get(indicator.ref)
        seen: set[Period] = set()
        for observation in dataset.observations.get(indicator.ref, ()):
            period = observation.period
            if period.frequency is not indicator.frequency or period in seen:
                continue
            if end is not None and end.start <= period.start:
                continue
            seen.add(period)
            chosen[period].append(indicator)
    return chosen


def _rows(dataset: Dataset, ended: dict[str, Period], version: int) -> Iterator[dict[str, Any]]:
    """Each row's columns, by name."""
    position = {indicator.ref: i for i, indicator in enumerate(dataset.indicators)}
    for period, indicators in sorted(_periods(dataset, ended).items()):
        evaluation = evaluate(replace(dataset, indicators=tuple(indicators)), period)
        payload = evaluation_to_json(evaluation)
        start, end = month_date(period.start), month_date(period.end, last_day=True)
        for result, entry in zip(evaluation.indicators, payload["indicators"], strict=True):
            indicator = result.indicator
            found = result.value
            yield {
                "version": version,
                "position": position[indicator.ref],
                "period": payload["period"],
                "previous_period": payload["previous_period"],
                "period_start": start,
                "period_end": end,
                "frequency": str(indicator.frequency),
                "directorate": indicator.directorate,
                "committees": ",".join(indicator.committees),
                "numerator": number(found.numerator) if found else None,
                "denominator": number(found.denominator) if found else None,
                **flat_entry(entry),
            }


def flat_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One indicator's entry of formats.md's JSON as the Figures columns it fills."""
    trend = entry["trend"] or {}
    neighbours = entry["neighbours"] or {}
    spc = entry["spc"] or {}
    recent = entry["recent_trend"] or {}
    return {
        "ref": entry["ref"],
        "name": entry["name"],
        "unit": entry["unit"],
        "direction": entry["direction"],
        "value": entry["value"],
        "as_of": entry["as_of"] or "",
        "complete": entry["complete"],
        "previous_value": entry["previous_value"],
        "target": entry["target"],
        "previous_target": entry["previous_target"],
        "status": entry["status"],
        "previous_status": entry["previous_status"],
        "change": entry["change"],
        "change_year_on_year": entry["change_year_on_year"],
        "projected_status": trend.get("projected_status"),
        "projection_year_end": trend.get("projection_year_end"),
        "neighbour_rank": neighbours.get("rank"),
        "neighbour_group_size": neighbours.get("group_size"),
        "neighbour_quartile": neighbours.get("quartile"),
        "neighbour_comparison": neighbours.get("comparison"),
        "neighbour_mean": neighbours.get("mean"),
        "spc_variation": spc.get("variation"),
        "spc_assurance": spc.get("assurance"),
        "recent_trend": recent.get("result"),
        "commentary": entry["commentary"],
        "warnings": " ".join(entry["warnings"]),
    }
