"""Benchmark: ``kpiboard evaluate`` end to end against polars alone reading the same files.

    python benchmarks/bench_evaluate.py [--sizes 100,1000,10000] [--repeat 3]

For each size a data folder is generated (benchmarks/generated/, not committed) with 120 monthly
observations per indicator and 15 neighbours at quarterly frequency. Each measurement is a fresh
process, as a user would run it, timed by wall clock with its peak resident memory from wait4:

- ``kpiboard evaluate DATA --period "2024/25 Q2" --format json`` (output discarded);
- polars alone: a process that imports polars and reads every CSV of the folder as text.

The median of ``--repeat`` runs is reported, with the ratio of the two. Results go in
docs/performance.md with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

POLARS_ALONE = """
import sys, polars as pl
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.csv")):
    pl.read_csv(path, infer_schema=False)
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def measure(command: list[str], repeat: int) -> tuple[float, float]:
    runs = [timed(command) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def machine() -> str:
    model = "unknown processor"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"Machine: {machine()}\n")
    print(
        "| indicators | observations | neighbour rows | kpiboard evaluate | peak memory "
        "| polars alone | peak memory | ratio |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in (int(s) for s in args.sizes.split(",")):
        folder = HERE / "generated" / f"org{size}"
        if not (folder / "neighbours.csv").exists():
            generate(folder, indicators=size, months=120, neighbours=15)
        evaluate = [
            sys.executable,
            "-m",
            "kpiboard.cli",
            "evaluate",
            str(folder),
            "--period",
            "2024/25 Q2",
            "--format",
            "json",
        ]
        polars = [sys.executable, "-c", POLARS_ALONE, str(folder)]
        ours, our_memory = measure(evaluate, args.repeat)
        theirs, their_memory = measure(polars, args.repeat)
        print(
            f"| {size:,} | {size * 120:,} | {size * 15 * 40:,} | {ours:.2f} s | "
            f"{our_memory:.0f} MB | {theirs:.2f} s | {their_memory:.0f} MB | "
            f"{ours / theirs:.1f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
