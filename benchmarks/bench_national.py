"""Benchmark: every area ranked in every metric and period at once, against a per-metric loop.

    python benchmarks/bench_national.py [--areas 400] [--metrics 1000] [--periods 10] [--repeat 3]

A deterministic workload (seeded), the size of a national data set such as LG Inform's: ``areas``
x ``metrics`` x ``periods`` values with one decimal place (so ties are common), about 2% of them
missing (suppressed), each metric's better direction drawn from higher, lower and none. Timed:

- ``rank_areas`` (kpiboard.datafiles.national): the whole polars frame ranked at once (the best
  and the median of ``--repeat`` runs);
- a straightforward Python loop: metric by metric, period by period, sort the values best first
  and give each area 1 + the number of areas strictly better (by bisection);
- the rule as semantics.md states it, applied to every area in turn: 1 + the count of areas
  strictly better, comparing each with all the others (``--naive-metrics`` metrics, default 20,
  scaled up to all).

All must give every area the same rank: they are compared after timing, and the script fails
otherwise. Then the readers, on files of the first ``--file-metrics`` metrics (default 100, so
400,000 rows): ``read_oflog`` choosing one metric from an Oflog-shaped CSV, and
``read_lginform_json`` choosing one from a data.table JSON list of records.

The goal is ``rank_areas`` under 5 s for 400 areas x 1,000 metrics x 10 periods on the 2-core
reference machine. Results go in docs/performance.md with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from bisect import bisect_left
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from kpiboard.analysis.model import Direction
from kpiboard.datafiles.national import read_lginform_json, read_oflog
from kpiboard.datafiles.national_rank import rank_areas

BY_SIGN = {d.sign: d for d in Direction}


def workload(
    areas: int, metrics: int, periods: int, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Values (metrics x periods x areas; NaN where missing) and each metric's sign."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(10, 90, size=(metrics, 1, 1))
    spread = rng.uniform(1, 10, size=(metrics, 1, 1))
    values = (level + spread * rng.standard_normal((metrics, periods, areas))).round(1)
    values[rng.random(values.shape) < 0.02] = np.nan
    signs = rng.integers(-1, 2, size=metrics)
    return values, signs


def as_frame(values: NDArray[np.float64]) -> pl.DataFrame:
    """One row per metric, period and area, in that order (metric slowest)."""
    _, periods, areas = values.shape
    flat = values.reshape(-1)
    index = np.arange(flat.size)
    return pl.DataFrame(
        {
            "metric": pl.Series(index // (periods * areas)).cast(pl.String),
            "period": pl.Series(index // areas % periods).cast(pl.String),
            "area_code": pl.Series(index % areas).cast(pl.String),
            "value": pl.Series(flat).fill_nan(None),
        }
    )


def time_rank_areas(
    frame: pl.DataFrame, directions: dict[str, Direction], repeat: int
) -> tuple[list[float], pl.DataFrame]:
    timings: list[float] = []
    ranked: pl.DataFrame | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        ranked = rank_areas(frame, directions)
        timings.append(time.perf_counter() - start)
    assert ranked is not None
    return timings, ranked


def rank_loop(values: list[list[list[float | None]]], signs: list[int]) -> list[int | None]:
    """Metric by metric and period by period: 1 + the number of areas strictly better."""
    ranks: list[int | None] = []
    for by_period, sign in zip(values, signs, strict=True):
        for period_values in by_period:
            if sign == 0:
                ranks.extend([None] * len(period_values))
                continue
            better_first = sorted(-sign * v for v in period_values if v is not None)
            for v in period_values:
                ranks.append(None if v is None else bisect_left(better_first, -sign * v) + 1)
    return ranks


def rank_naive(values: list[list[list[float | None]]], signs: list[int]) -> list[int | None]:
    """Each area against every other: 1 + the number strictly better (quadratic per period)."""
    ranks: list[int | None] = []
    for by_period, sign in zip(values, signs, strict=True):
        for period_values in by_period:
            present = [v for v in period_values if v is not None]
            for v in period_values:
                if v is None or sign == 0:
                    ranks.append(None)
                else:
                    ranks.append(1 + sum(1 for other in present if sign * other > sign * v))
    return ranks


def time_readers(frame: pl.DataFrame, metrics: int) -> None:
    """Write the first ``metrics`` metrics as Oflog's CSV and LG Inform's JSON; read one back."""
    part = frame.filter(pl.col("metric").cast(pl.Int64) < metrics).with_columns(
        pl.format("E{}", pl.col("area_code").str.zfill(8)).alias("area_code"),
        pl.format(
            "{}-{}", pl.col("period").cast(pl.Int64) + 2014, pl.col("period").cast(pl.Int64) + 15
        ).alias("period"),
    )
    with tempfile.TemporaryDirectory() as folder:
        oflog = Path(folder) / "oflog.csv"
        part.select(
            pl.col("period").alias("Financial year"),
            pl.col("area_code").alias("Local authority code"),
            pl.col("area_code").alias("Local authority name"),
            pl.lit("LA_Raw").alias("Grouping"),
            pl.format("Measure {}", pl.col("metric")).alias("Measure"),
            pl.col("metric").alias("Code"),
            pl.col("value").alias("Value"),
        ).write_csv(oflog)
        start = time.perf_counter()
        rows = read_oflog(oflog, ref="1", metric="0")
        seconds = time.perf_counter() - start
        print(f"read_oflog: {part.height:,} rows, one metric of {len(rows):,}: {seconds:.2f} s")
        lginform = Path(folder) / "lginform.json"
        records = [
            {
                "metricTypeIdentifier": metric,
                "areaIdentifier": area,
                "areaLabel": area,
                "periodLabel": period.replace("-", "/"),
                "value": value,
            }
            for metric, period, area, value in part.iter_rows()
        ]
        lginform.write_text(json.dumps(records), encoding="utf-8")
        start = time.perf_counter()
        rows = read_lginform_json(lginform, ref="1", metric="0")
        seconds = time.perf_counter() - start
        print(
            f"read_lginform_json: {len(records):,} records, one metric of {len(rows):,}: "
            f"{seconds:.2f} s"
        )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=400)
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-metrics", type=int, default=20)
    parser.add_argument("--file-metrics", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2024)
    arguments = parser.parse_args()

    print(
        f"machine: {os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}, "
        f"polars {pl.__version__}, {platform.system()} {platform.release()}"
    )
    values, signs = workload(arguments.areas, arguments.metrics, arguments.periods, arguments.seed)
    frame = as_frame(values)
    directions = {str(metric): BY_SIGN[int(sign)] for metric, sign in enumerate(signs)}
    rows = frame.height
    print(
        f"workload: {arguments.areas} areas x {arguments.metrics} metrics x {arguments.periods} "
        f"periods = {rows:,} values, {frame['value'].null_count():,} missing"
    )

    timings, ranked = time_rank_areas(frame, directions, arguments.repeat)
    best, middle = min(timings), statistics.median(timings)
    print(f"rank_areas:  best {best:.2f} s, median {middle:.2f} s of {arguments.repeat}")

    nested = [
        [[None if np.isnan(v) else float(v) for v in period] for period in metric]
        for metric in values
    ]
    start = time.perf_counter()
    looped = rank_loop(nested, [int(sign) for sign in signs])
    loop_seconds = time.perf_counter() - start
    print(f"Python loop: {loop_seconds:.2f} s ({loop_seconds / best:.0f}x rank_areas' best)")

    part = min(arguments.naive_metrics, arguments.metrics)
    start = time.perf_counter()
    naive = rank_naive(nested[:part], [int(sign) for sign in signs[:part]])
    naive_seconds = (time.perf_counter() - start) * arguments.metrics / part
    print(
        f"each area against every other: {naive_seconds:.1f} s (timed on {part} metrics and "
        f"scaled up; {naive_seconds / best:.0f}x rank_areas' best)"
    )

    ranks = ranked["rank"].to_list()
    disagreements = sum(1 for a, b in zip(ranks, looped, strict=True) if a != b)
    disagreements += sum(1 for a, b in zip(ranks, naive, strict=False) if a != b)
    print(f"ranks that differ between rank_areas and the loops: {disagreements}")
    if disagreements:
        return 1
    goal = 5.0
    print(f"goal: rank_areas under {goal:.0f} s: {'met' if best < goal else 'NOT met'}")
    time_readers(frame, arguments.file_metrics)
    return 0


if __name__ == "__main__":
    sys.exit(main())
