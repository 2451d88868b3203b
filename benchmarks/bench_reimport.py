"""Benchmark: re-importing a folder whose neighbour values all changed, against the first import.

    python benchmarks/bench_reimport.py [--indicators 200] [--databases postgresql,sqlite]

benchmarks/generate.py's organisation with ``--indicators`` monthly indicators and 15 neighbours
over 40 quarters (200 indicators: 120,000 neighbour values). In a new database, untimed
``kpiboard migrate``, then timed (wall clock, a fresh process each):

1. ``kpiboard import FOLDER`` into the empty database (the first load);
2. the same folder with every neighbour value changed (each times 0.99, so a percentage stays
   one), ``kpiboard import`` again: every one of the values is replaced.

Issue 16's goal: the second no slower than the first (it was 292 s against 5.7 s on PostgreSQL,
each deleted row sending a signal that bumped the data version). Also printed, the data
version's rise over the re-import (one bump per import is the goal) and, as the machine's
yardstick, a plain Python loop of ten million additions timed in the same run.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_import import empty_database, environment, kpiboard  # noqa: E402
from generate import generate  # noqa: E402

VERSION = (
    "import django; django.setup(); from kpiboard.web.register.models import DataVersion, "
    "NeighbourValue; print(DataVersion.current(), NeighbourValue.objects.count())"
)


def loop_seconds() -> float:
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def changed_copy(folder: Path, out: Path) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(folder, out)
    with (folder / "neighbours.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    value = rows[0].index("value")
    for row in rows[1:]:
        if row[value]:
            row[value] = f"{(Decimal(row[value]) * Decimal('0.99')).normalize():f}"
    with (out / "neighbours.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return out


def run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def state(env: dict[str, str]) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", VERSION], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    folder = HERE / "generated" / f"reimport{args.indicators}"
    if not (folder / "neighbours.csv").exists():
        generate(folder, indicators=args.indicators, months=120, neighbours=15)
    changed = changed_copy(folder, HERE / "generated" / f"reimport{args.indicators}-changed")
    print(f"loop of ten million additions: {loop_seconds():.2f} s")
    for kind in args.databases.split(","):
        with empty_database(kind, args.postgres) as url:
            env = environment(url)
            subprocess.run(kpiboard("migrate", "-v", "0"), env=env, check=True)
            first = run(kpiboard("import", str(folder)), env)
            version, values = state(env)
            again = run(kpiboard("import", str(changed)), env)
            after, values_after = state(env)
            assert values == values_after, (values, values_after)
            print(
                f"{kind}: {values:,} neighbour values; first import {first:.1f} s, "
                f"re-import replacing them all {again:.1f} s (ratio {again / first:.2f}); "
                f"data version rose by {after - version}"
            )


if __name__ == "__main__":
    main()
