"""Benchmark: ``kpiboard import`` of a large workbook into an empty database, end to end.

    python benchmarks/bench_import.py [--indicators 1000] [--databases sqlite,postgresql]
        [--postgres postgres://postgres@127.0.0.1:5432] [--source workbook] [--repeat 1]

The organisation is benchmarks/generate.py's (not committed, kept in benchmarks/generated/):
``--indicators`` monthly indicators with ten years of figures (120 each), two targets each, one
commentary each and 15 statistical neighbours at quarterly frequency (40 quarters, 600,000
neighbour values for 1,000 indicators), written as one .xlsx workbook with kpiboard's own writer
(``--source folder`` imports the CSV folder instead). Untimed set-up of each run: a fresh database
(a new SQLite file, or a new PostgreSQL database dropped afterwards) and ``kpiboard migrate``.

Timed, each a fresh process by wall clock, with its peak resident memory from wait4:

- ``kpiboard import SOURCE``, end to end. Its progress lines on stderr split it into start-up,
  reading and planning (until ``organisation applied``) and applying (the rest, one transaction);
- reading alone: a process that reads and checks the same source with ``read_dataset``, as the
  import does before comparing it with the database.

After each import the rows are counted (indicators, returns and their history, neighbour values)
and checked against the source; a wrong count fails the benchmark. Results go in
docs/performance.md with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_evaluate import machine  # noqa: E402
from generate import generate  # noqa: E402

MONTHS, NEIGHBOURS = 120, 15
APPLYING = "organisation applied"  # the first line apply_plan prints, once reading and planning end

READ_ALONE = """
import sys
from pathlib import Path
from kpiboard.datafiles import read_dataset
read_dataset(Path(sys.argv[1]))
"""

COUNT_ROWS = """
import django
django.setup()
from kpiboard.web.collection.models import Return
from kpiboard.web.register.models import Indicator, NeighbourValue
print(Indicator.objects.count(), Return.objects.count(), Return.history.count(),
      NeighbourValue.objects.count())
"""


def source(indicators: int, kind: str) -> Path:
    """The generated folder, or a workbook of it (made once; writing it takes a while)."""
    folder = HERE / "generated" / f"import{indicators}"
    if not (folder / "commentary.csv").exists():
        generate(folder, indicators=indicators, months=MONTHS, neighbours=NEIGHBOURS)
    if kind == "folder":
        return folder
    workbook = folder.with_suffix(".xlsx")
    if not workbook.exists():
        from kpiboard.datafiles import read_dataset, write_workbook

        print(f"Writing {workbook.name} (once) ...", file=sys.stderr, flush=True)
        write_workbook(read_dataset(folder), workbook)
    return workbook


def postgres_version(server: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres") as connection:
        row = connection.execute("show server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"


@contextmanager
def empty_database(kind: str, server: str) -> Iterator[str]:
    """The DATABASE_URL of a new, empty database, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kpiboard-bench-") as folder:
            yield f"sqlite:///{folder}/import.sqlite3"
        return
    import psycopg

    name = f"kpiboard_bench_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'create database "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'drop database if exists "{name}" with (force)')


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "kpiboard.web.settings",
        "SECRET_KEY": "kpiboard-benchmark-only",
        "DEBUG": "false",
    }


def kpiboard(*args: str) -> list[str]:
    return [sys.executable, "-m", "kpiboard.cli", *args]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float | None, float]:
    """Wall seconds, seconds until the import started applying (None if it never said so) and
    peak resident memory (MB) of one process."""
    start = time.perf_counter()
    applying = None
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    errors = []
    for line in process.stderr:
        if line.strip() == APPLYING and applying is None:
            applying = time.perf_counter() - start
        errors.append(line)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{''.join(errors[-20:])}")
    return elapsed, applying, usage.ru_maxrss / 1024


def import_once(path: Path, kind: str, server: str, indicators: int) -> tuple[float, float, float]:
    with empty_database(kind, server) as url:
        env = environment(url)
        subprocess.run(kpiboard("migrate", "-v", "0"), env=env, check=True)
        elapsed, applying, memory = timed(kpiboard("import", str(path)), env)
        counted = subprocess.run(
            [sys.executable, "-c", COUNT_ROWS], env=env, check=True, capture_output=True, text=True
        ).stdout.split()
    returns = indicators * (MONTHS + 1)  # a figure a month, and the quarter's commentary
    expected = [indicators, returns, returns, indicators * NEIGHBOURS * MONTHS // 3]
    if [int(n) for n in counted] != expected:
        raise SystemExit(f"{kind}: counted {counted} rows, expected {expected}")
    assert applying is not None
    return elapsed, applying, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--source", choices=("workbook", "folder"), default="workbook")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    databases = args.databases.split(",")
    path = source(args.indicators, args.source)
    versions = [postgres_version(args.postgres)] if "postgresql" in databases else []
    print(f"Machine: {', '.join([machine(), *versions])}\n")
    print(
        f"Source: {path.name} ({path.stat().st_size / 2**20:.0f} MB if a file), "
        f"{args.indicators:,} indicators, {args.indicators * MONTHS:,} figures, "
        f"{args.indicators * NEIGHBOURS * MONTHS // 3:,} neighbour values\n"
    )
    print("| database | kpiboard import | start-up, reading, planning | applying | peak memory |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind in databases:
        runs = [import_once(path, kind, args.postgres, args.indicators) for _ in range(args.repeat)]
        middle = sorted(runs)[len(runs) // 2]
        elapsed, applying, memory = middle
        print(
            f"| {kind} | {elapsed:.1f} s | {applying:.1f} s | {elapsed - applying:.1f} s "
            f"| {memory:.0f} MB |",
            flush=True,
        )
    reads = [
        timed([sys.executable, "-c", READ_ALONE, str(path)], dict(os.environ))
        for _ in range(args.repeat)
    ]
    seconds = statistics.median(t for t, _, _ in reads)
    print(f"| (reading alone, no database) | {seconds:.1f} s | | | {reads[0][2]:.0f} MB |")


if __name__ == "__main__":
    main()
