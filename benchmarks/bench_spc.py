"""Benchmark: XmR charts with their icons for a whole register, batched against one at a time.

    python benchmarks/bench_spc.py [--series 100000] [--points 36] [--repeat 5] [--loop-series N]

A deterministic workload (seeded): ``series`` monthly series of ``points`` values each, a third
noise around a level, a third random walks (so trends), a third with a step half way (so shifts);
a direction drawn from higher, lower and none, and a target for four series in five. Timed:

- ``xmr_batch``: every series at once with numpy, point types, variation and assurance icons
  (the best and the median of ``--repeat`` runs);
- a plain loop calling ``xmr()`` once per series on lists of floats, as ``evaluate()`` does
  (``--loop-series`` to time only the first N and scale up, for a quick look).

Both must give the same answer: every point type and icon is compared after timing. The goal is
the batch under 2 s for 100,000 series of 36 points on the 2-core reference machine. Results go in
docs/performance.md with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
from numpy.typing import NDArray

from kpiboard.analysis.model import Direction, SpcSettings
from kpiboard.analysis.spc import SpcResult, xmr
from kpiboard.analysis.spc_batch import SpcBatch, xmr_batch

SETTINGS = SpcSettings()
BY_SIGN = {d.sign: d for d in Direction}


def workload(
    series: int, points: int, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
    """Values (series x points), direction signs and targets (NaN for none)."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(20, 90, size=(series, 1))
    spread = rng.uniform(1, 6, size=(series, 1))
    noise = level + spread * rng.standard_normal((series, points))
    walk = level + np.cumsum(spread * rng.standard_normal((series, points)) / 2 + 0.3, axis=1)
    step = noise + np.where(np.arange(points) >= points // 2, 2 * spread, 0.0)
    kind = rng.integers(0, 3, size=(series, 1))
    values = np.where(kind == 0, noise, np.where(kind == 1, walk, step)).round(1)
    signs = rng.integers(-1, 2, size=series)
    targets = np.where(rng.random(series) < 0.8, level[:, 0] + spread[:, 0], np.nan).round(1)
    return values, signs, targets


def time_batch(
    values: NDArray[np.float64], signs: NDArray[np.int64], targets: NDArray[np.float64], repeat: int
) -> tuple[list[float], SpcBatch]:
    timings: list[float] = []
    batch: SpcBatch | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        batch = xmr_batch(values, directions=signs, targets=targets, settings=SETTINGS)
        timings.append(time.perf_counter() - start)
    assert batch is not None
    return timings, batch


def time_loop(
    rows: list[list[float]], directions: list[Direction], targets: list[float | None]
) -> tuple[float, list[SpcResult | None]]:
    start = time.perf_counter()
    results = [
        xmr(row, direction=direction, target=target, settings=SETTINGS)
        for row, direction, target in zip(rows, directions, targets, strict=True)
    ]
    return time.perf_counter() - start, results


def check_agreement(batch: SpcBatch, results: list[SpcResult | None]) -> int:
    """Series whose point types or icons differ between the two paths (should be 0)."""
    differ = 0
    for row, one in enumerate(results):
        assert one is not None
        point_types, variation, assurance = batch.result_names(row)
        expected = (
            tuple(t.value for t in one.point_types),
            one.variation.value,
            one.assurance.value if one.assurance is not None else None,
        )
        differ += (point_types, variation, assurance) != expected
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=5, help="batch runs (best and median)")
    parser.add_argument("--loop-series", type=int, help="time the loop on the first N only")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    values, signs, targets = workload(args.series, args.points, args.seed)
    looped = min(args.loop_series or args.series, args.series)
    rows = values[:looped].tolist()
    directions = [BY_SIGN[int(s)] for s in signs[:looped]]
    loop_targets = [None if np.isnan(t) else float(t) for t in targets[:looped]]

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"python {platform.python_version()}, numpy {np.__version__}")
    print(f"workload: {args.series:,} series x {args.points} points, seed {args.seed}")

    batch_times, batch = time_batch(values, signs, targets, args.repeat)
    best, median = min(batch_times), statistics.median(batch_times)
    print(f"xmr_batch:        best {best:.3f} s, median {median:.3f} s of {args.repeat} runs")

    loop_seconds, results = time_loop(rows, directions, loop_targets)
    per_series = loop_seconds / looped
    loop_total = per_series * args.series
    scaled = "" if looped == args.series else f" (scaled up from {looped:,} series)"
    print(f"xmr() per series: {loop_total:.2f} s{scaled}, {per_series * 1e6:.0f} us a series")
    print(f"speed-up:         {loop_total / best:.0f}x (loop / best batch)")

    differ = check_agreement(batch, results)
    print(f"agreement:        {looped - differ:,} of {looped:,} series identical")
    goal = "met" if best < 2.0 else "NOT met"
    print(f"goal (batch < 2 s for {args.series:,} x {args.points}): {goal}")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
