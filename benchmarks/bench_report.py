"""Benchmark: report packs, end to end, and where the time goes.

    python benchmarks/bench_report.py [--sizes 50,100,200] [--repeat 1]

- The demo council's committee pack in all four formats (goal: under 5 s).
- A generated organisation of 200 indicators with 5 years of monthly history, organisational
  scope: all four formats (goal: under 60 s) and without the PDF (goal: under 15 s).
- How the time grows with the number of indicators (without the PDF).

Each run is a fresh ``kpiboard report`` process timed by wall clock; the split between steps is
the one the command prints (model, charts, html, pdf, docx, xlsx).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_evaluate import machine  # noqa: E402
from generate import generate  # noqa: E402

STEP = re.compile(r"([a-z ()A-Z]+?) (\d+\.\d+) s")


def run(args: list[str], out: Path) -> tuple[float, dict[str, float]]:
    command = [sys.executable, "-m", "kpiboard.cli", "report", *args, "--out", str(out)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    line = done.stdout.strip().splitlines()[-1]
    timings = line[line.index("indicators (") + len("indicators (") :]
    steps = {name.strip(" ,("): float(s) for name, s in STEP.findall(timings)}
    return elapsed, steps


def report(label: str, args: list[str], out: Path, repeat: int) -> None:
    runs = sorted((run(args, out) for _ in range(repeat)), key=lambda found: found[0])
    elapsed = statistics.median(t for t, _ in runs)
    steps = runs[len(runs) // 2][1]  # the steps of the median run (of the faster middle two)
    split = ", ".join(f"{name} {seconds:.2f}" for name, seconds in steps.items())
    print(f"| {label} | {elapsed:.2f} s | {split} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"Machine: {machine()}\n")
    print("| pack | wall clock | steps (s) |")
    print("| --- | ---: | --- |")
    out = HERE / "generated" / "packs"
    demo = ["examples/demo-council", "--period", "2024/25 Q2"]
    report(
        "demo council, srp, all four formats",
        [*demo, "--committee", "srp"],
        out / "demo",
        args.repeat,
    )
    for size in (int(s) for s in args.sizes.split(",")):
        folder = HERE / "generated" / f"report{size}"
        if not (folder / "observations.csv").exists():
            generate(folder, indicators=size, months=60, neighbours=0)
        data = [str(folder), "--period", "2024/25 Q2", "--scope", "organisation"]
        report(
            f"{size} indicators, organisation, without PDF",
            [*data, "--formats", "html,docx,xlsx"],
            out / f"org{size}",
            args.repeat,
        )
        if size == max(int(s) for s in args.sizes.split(",")):
            report(
                f"{size} indicators, organisation, all four formats",
                data,
                out / f"org{size}",
                args.repeat,
            )


if __name__ == "__main__":
    main()
