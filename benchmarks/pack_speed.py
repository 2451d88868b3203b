"""Benchmark: report packs before and after a change, in loop units (issue 12).

    python benchmarks/pack_speed.py --before /tmp/before/src [--repeat 3] [--size 200]

Runs each workload as a fresh ``kpiboard report`` process, the code under test from this
checkout's ``src`` ("after") and the code on ``--before`` (put first on ``PYTHONPATH``), runs
interleaved (before, after, loop, before, after, loop, ...) so that other work on the machine
falls on both alike, and prints the median of ``--repeat`` runs in seconds and in loop units:
the time of a plain Python loop of ten million additions on the same machine. Beside the wall
time it prints the processor time each run used (user + system, the chart processes included),
which other work on a loaded machine disturbs less than the wall time.

Workloads: the demo council's srp pack (all four formats; goal: at most 3 loop units), its PDF
alone (``demo-pdf``) and its other three formats alone (``demo-nopdf``), and a generated
organisation of ``--size`` indicators (60 months, no neighbours) with and without PDF.

``--stores off,kept`` (the default) runs each workload twice over: with the chart store off
(every chart drawn, as on a first run) and with its charts kept from a run made before the
timing starts (a pack made again with the same figures: a draft then the same pack published,
an edited narrative, a second format). Code on ``--before`` that has no chart store draws its
charts either way.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_evaluate import machine  # noqa: E402
from generate import generate  # noqa: E402

LOOP = "s=0\nfor i in range(10**7): s+=i"


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(command: list[str], src: Path | None = None, store: str = "off") -> tuple[float, float]:
    """Wall seconds and processor seconds (user + system, its own children included);
    ``store`` is KPIBOARD_CHART_CACHE for the run."""
    env = {**os.environ, "KPIBOARD_CHART_CACHE": store}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    before = cpu()
    start = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=True, cwd=ROOT)
    return time.perf_counter() - start, cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the src/ folder of the code before")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--only", default="", help="comma-separated workload names to run")
    parser.add_argument(
        "--stores", default="off,kept", help="chart store modes to run: off, kept or both"
    )
    args = parser.parse_args()
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the start\n")
    folder = HERE / "generated" / f"report{args.size}"
    if not (folder / "observations.csv").exists():
        generate(folder, indicators=args.size, months=60, neighbours=0)
    org = [str(folder), "--period", "2024/25 Q2", "--scope", "organisation"]
    demo = ["examples/demo-council", "--period", "2024/25 Q2"]
    workloads = {
        "demo": [*demo, "--committee", "srp"],
        # the demo's PDF alone, and the other three formats alone: where the demo's time goes
        "demo-pdf": [*demo, "--committee", "srp", "--formats", "pdf"],
        "demo-nopdf": [*demo, "--committee", "srp", "--formats", "html,docx,xlsx"],
        "org-nopdf": [*org, "--formats", "html,docx,xlsx"],
        "org-pdf": org,
    }
    if args.only:
        workloads = {k: v for k, v in workloads.items() if k in args.only.split(",")}
    versions = {"after": ROOT / "src"}
    if args.before:
        versions = {"before": args.before.resolve(), **versions}
    times: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    loops: list[float] = []
    loads: list[float] = []
    stores = [mode for mode in args.stores.split(",") if mode]
    with tempfile.TemporaryDirectory() as tmp:

        def command(wargs: list[str], out: Path) -> list[str]:
            return [sys.executable, "-m", "kpiboard.cli", "report", *wargs, "--out", str(out)]

        def store_for(mode: str, version: str) -> str:
            return "off" if mode == "off" else str(Path(tmp) / f"charts-{version}")

        if "kept" in stores:  # the charts drawn once, before any timing
            for name, wargs in workloads.items():
                for version, src in versions.items():
                    warm = Path(tmp) / f"warm-{name}-{version}"
                    timed(command(wargs, warm), src, store_for("kept", version))
        for _ in range(args.repeat):
            for name, wargs in workloads.items():
                for mode in stores:
                    for version, src in versions.items():
                        out = Path(tmp) / f"{name}-{version}-{mode}"
                        wall, used = timed(command(wargs, out), src, store_for(mode, version))
                        key = (f"{name} (charts {'drawn' if mode == 'off' else mode})", version)
                        times.setdefault(key, []).append(wall)
                        cpus.setdefault(key, []).append(used)
                loops.append(timed([sys.executable, "-c", LOOP])[0])
                loads.append(os.getloadavg()[0])
    loop = statistics.median(loops)
    each = ", ".join(f"{t:.2f}" for t in loops)
    print(f"Loop of 10**7 additions: median {loop:.2f} s (runs {each})")
    print()
    print("| workload | version | median | loop units | runs (s) | processor (s, median) |")
    print("| --- | --- | ---: | ---: | --- | ---: |")
    for (name, version), runs in times.items():
        med = statistics.median(runs)
        spread = ", ".join(f"{t:.2f}" for t in runs)
        used = statistics.median(cpus[name, version])
        print(f"| {name} | {version} | {med:.2f} s | {med / loop:.2f} | {spread} | {used:.2f} |")
    each_load = ", ".join(f"{load:.1f}" for load in loads)
    print(f"\nload average after each round: {each_load}; {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
