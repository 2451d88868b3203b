"""Reading a large workbook: kpiboard's read of it beside python-calamine reading the same file
alone, and a plain Python loop of ten million additions as the machine's yardstick (issue 13).

    python benchmarks/bench_workbook_read.py [--indicators 1000] [--repeat 3]

Generates (once) the 1,000-indicator organisation of bench_import.py as a workbook, then in one
run times, each the median of --repeat: the loop; python-calamine reading every sheet to Python
values; openpyxl's read-only reader touching every cell (what kpiboard used before);
``read_dataset`` on the workbook (reading, checking and building the Dataset). Goal: the import's
reading within 2x of calamine alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_import import source  # noqa: E402


def loop() -> None:
    total = 0
    for i in range(10**7):
        total += i


def calamine(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def openpyxl_cells(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in book.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            pass
    book.close()


def kpiboard_read(path: Path) -> None:
    from kpiboard.datafiles import read_dataset

    read_dataset(path)


def median(work: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openpyxl", action="store_true", help="also time openpyxl (slow)")
    args = parser.parse_args()
    path = source(args.indicators, "workbook")
    print(
        f"{path.name}: {path.stat().st_size / 1e6:.1f} MB; {os.cpu_count()} cores; "
        f"Python {sys.version.split()[0]}"
    )
    work: dict[str, Callable[[], None]] = {
        "10M-addition loop": loop,
        "python-calamine alone": lambda: calamine(path),
        "kpiboard read_dataset": lambda: kpiboard_read(path),
    }
    if args.openpyxl:
        work["openpyxl read-only, every cell"] = lambda: openpyxl_cells(path)
    seconds = {name: median(job, args.repeat) for name, job in work.items()}
    base = seconds["10M-addition loop"]
    alone = seconds["python-calamine alone"]
    print(f"{'':32} {'seconds':>8} {'loops':>6} {'x calamine':>10}")
    for name, value in seconds.items():
        print(f"{name:32} {value:8.2f} {value / base:6.1f} {value / alone:10.1f}")


if __name__ == "__main__":
    main()
