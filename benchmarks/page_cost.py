"""Benchmark: what one warm page costs the server, before and after a change (issue 16).

    python benchmarks/page_cost.py [--before /tmp/before/src] [--requests 200] [--rounds 5]

The load goal (100 readers, 20 owners, two servers: benchmarks/bench_load.py) is met or missed
by how long each page holds a server's processor, which a load run on two shared cores measures
only roughly. This measures it directly: the demo council seeded into a SQLite file of its own
for each side, then, in one process per side and round, a reader's warm indicator page
(``/indicators/186/``) and organisation scorecard (``/scorecard/``) asked for ``--requests``
times through Django's test client with the production settings (DEBUG off), timed, and the
queries of one of them counted. Rounds alternate before, after, loop, ... so that other work
on the machine falls on both alike; the median of the rounds is printed in milliseconds and,
as a ratio to the same run's loop of ten million additions, in thousandths of a loop unit.
Without ``--before`` only this checkout is measured.
"""

from __future__ import annotations

import argparse
import json
import os
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

LOOP = "s=0\nfor i in range(10**7): s+=i"
PAGES = ("/indicators/186/", "/scorecard/")

#: Run in a fresh process per side and round: prints {page: [ms per request, queries]}.
MEASURE = """
import json, os, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
count = int(sys.argv[1])
client = Client(HTTP_HOST="localhost")
client.force_login(get_user_model().objects.get(username="reader"))
found = {}
for page in sys.argv[2:]:
    for _ in range(5):
        answer = client.get(page, secure=True)
        assert answer.status_code == 200, (page, answer.status_code)
    start = time.perf_counter()
    for _ in range(count):
        client.get(page, secure=True)
    seconds = (time.perf_counter() - start) / count
    with CaptureQueriesContext(connection) as queries:
        client.get(page, secure=True)
    found[page] = [seconds * 1000, len(queries)]
print(json.dumps(found))
"""


def environment(folder: Path, name: str, src: Path | None, *, debug: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kpiboard.web.settings",
        "DATABASE_URL": f"sqlite:///{folder / name}.sqlite3",
        "KPIBOARD_TODAY": "2025-01-10",
        "STATIC_ROOT": str(folder / f"{name}-static"),
        "ALLOWED_HOSTS": "localhost",
        "SECRET_KEY": "page-cost-benchmark-" + "k" * 40,
        "DEBUG": "true" if debug else "false",
    }
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def prepare(folder: Path, name: str, src: Path | None) -> None:
    """The demo council and its people (seed_demo: the reader "reader" among them)."""
    kpiboard = [sys.executable, "-m", "kpiboard.cli"]
    for step, debug in (
        (["migrate", "--verbosity", "0"], True),
        (["seed_demo", str(ROOT / "examples" / "demo-council")], True),  # DEBUG only
        (["collectstatic", "--no-input", "--verbosity", "0"], False),  # production's files
    ):
        env = environment(folder, name, src, debug=debug)
        subprocess.run([*kpiboard, *step], env=env, cwd=ROOT, check=True, capture_output=True)


def measure(folder: Path, name: str, src: Path | None, requests: int) -> dict[str, list[float]]:
    env = environment(folder, name, src, debug=False)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(requests), *PAGES],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def loop_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", LOOP], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="the src folder of the code to compare with")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sides: dict[str, Path | None] = {"after": ROOT / "src"}
    if args.before:
        sides = {"before": args.before.resolve(), **sides}
    with tempfile.TemporaryDirectory(prefix="kpiboard-page-cost-") as temporary:
        folder = Path(temporary)
        for name, src in sides.items():
            prepare(folder, name, src)
        times: dict[str, dict[str, list[float]]] = {name: {p: [] for p in PAGES} for name in sides}
        queries: dict[str, dict[str, float]] = {name: {} for name in sides}
        loops: list[float] = []
        for _ in range(args.rounds):
            for name, src in sides.items():
                for page, (ms, count) in measure(folder, name, src, args.requests).items():
                    times[name][page].append(ms)
                    queries[name][page] = count
            loops.append(loop_seconds())
    loop = statistics.median(loops)
    print(f"Machine: {machine()}")
    print(f"Loop of ten million additions: {loop:.2f} s (median of {len(loops)})")
    print("| page | side | ms per request (median) | thousandths of a loop unit | queries |")
    print("| --- | --- | ---: | ---: | ---: |")
    for page in PAGES:
        for name in sides:
            ms = statistics.median(times[name][page])
            print(
                f"| {page} | {name} | {ms:.2f} | {ms / 1000 / loop * 1000:.2f} | "
                f"{queries[name][page]:.0f} |"
            )


if __name__ == "__main__":
    main()
