"""Every area ranked within its metric and period, for every metric and period at once
(:func:`rank_areas`), as semantics.md 7 ranks a council among its neighbours."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from kpiboard.analysis.model import Direction

__all__ = ["rank_areas"]


def rank_areas(values: pl.DataFrame, directions: Mapping[str, Direction]) -> pl.DataFrame:
    """Rank every area within its metric and period, for every metric and period at once.

    ``values`` has a row per metric, period and area: columns ``metric`` (text), ``period``,
    ``area_code`` and ``value`` (a number; null where the area has none). ``directions`` gives
    each metric's better direction. Returned: the same rows with ``areas`` (how many areas have a
    value in that metric and period), ``rank`` (1 = best; ties share the better rank, 1, 2, 2,
    4; null without a value, or for a metric whose direction is none) and ``quartile``
    (ceil(4 x rank / areas), 1 = best), as semantics.md 7 ranks a council among its neighbours.

    Higher is better, values 9, 7, 7, 5: ranks 1, 2, 2, 4 of 4 areas, quartiles 1, 2, 2, 4.
    """
    missing = set(values["metric"].unique().to_list()) - set(directions)
    if missing:
        raise ValueError(f"no direction for the metrics {', '.join(sorted(map(str, missing)))}")
    signs = {metric: direction.sign for metric, direction in directions.items()}
    signed = values.with_columns(
        pl.col("metric").replace_strict(signs, return_dtype=pl.Int8).alias("_sign")
    )
    better = pl.col("value").cast(pl.Float64) * pl.col("_sign")  # larger is better, either way
    in_group = pl.struct(  # one window for both: each metric and period is grouped once
        pl.col("value").count().cast(pl.UInt32).alias("areas"),
        better.rank("min", descending=True).alias("rank"),
    ).over("metric", "period")
    ranked = signed.with_columns(in_group.alias("_ranked")).unnest("_ranked")
    return (
        ranked.with_columns(pl.when(pl.col("_sign") != 0).then(pl.col("rank")).alias("rank"))
        .with_columns(
            ((pl.col("rank") * 4 + pl.col("areas") - 1) // pl.col("areas")).alias("quartile")
        )
        .drop("_sign")
    )
