"""Benchmark: 20 owners saving drafts of their returns at once, through gunicorn, with locust.

    python benchmarks/bench_returns_load.py [--databases sqlite,postgresql] [--users 20]
        [--duration 30s] [--wait 0] [--postgres postgres://postgres@127.0.0.1:5432]

For each database: a new, empty database (a SQLite file, or a PostgreSQL database dropped
afterwards), ``kpiboard migrate``, the demo council imported (examples/demo-council), one owner
account per simulated user with a known password (each the owner, by e-mail, of the indicator of
its return, and each with a return of its own: a monthly indicator and a month with no return yet),
then

    gunicorn kpiboard.web.wsgi -w 2 --threads 4 -b 127.0.0.1:8765

with the production settings (DEBUG off) over plain HTTP, and

    locust -f benchmarks/locustfile.py --headless -u 20 -r 20 -t 30s --host http://127.0.0.1:8765

on the same machine (loopback; locust's own process takes CPU from the server). The figures are
locust's, for the POST that saves the draft (see benchmarks/locustfile.py), with the GET of the
form that comes before each for comparison. ``--wait`` is each owner's pause in seconds between
one save and the next: 0 (the default) is a closed loop, as fast as the server answers.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_evaluate import machine  # noqa: E402
from bench_import import empty_database, environment, kpiboard, postgres_version  # noqa: E402

DEMO = ROOT / "examples" / "demo-council"
BIND = "127.0.0.1:8765"
GUNICORN = ("-w", "2", "--threads", "4")
PASSWORD = "load-test only, not a real password 7"

OWNERS = """
import json, sys, django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from kpiboard.web.accounts.roles import OWNER
from kpiboard.web.collection.models import Return
from kpiboard.web.register.models import Indicator, Lifecycle
users, password = int(sys.argv[1]), sys.argv[2]
monthly = list(
    Indicator.objects.filter(frequency="month", lifecycle=Lifecycle.ACTIVE)
    .exclude(owner="").order_by("position")
)
taken = set(Return.objects.values_list("indicator__ref", "period"))
free = [
    (row, f"{year}-{month:02d}")
    for year, month in [(2024, 10), (2024, 11), (2024, 12), (2025, 1), (2025, 2), (2025, 3)]
    for row in monthly
    if (row.ref, f"{year}-{month:02d}") not in taken
]
owners = Group.objects.get(name=OWNER)
slots = []
for n, (row, period) in enumerate(free[:users], start=1):
    user = get_user_model().objects.create_user(
        username=f"load{n:02d}", password=password, email=row.owner
    )
    user.groups.add(owners)
    figure = (
        {"numerator": "80", "denominator": "100"} if row.aggregation == "ratio"
        else {"value": "50"}
    )
    slots.append({"username": user.username, "password": password, "ref": row.ref,
                  "period": period, "figure": figure})
if len(slots) < users:
    sys.exit(f"only {len(slots)} free returns for {users} users")
print(json.dumps(slots))
"""

Stats = tuple[dict[str, dict[str, str]], list[dict[str, str]]]

#: locust's columns, as in its --csv file of statistics.
COLUMNS = ("Request Count", "Failure Count", "Requests/s", "50%", "95%", "99%", "Max Response Time")


@contextmanager
def served(env: dict[str, str], log: Path) -> Iterator[None]:
    """gunicorn with ``env`` on BIND while the block runs, stopped afterwards."""
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "kpiboard.web.wsgi", *GUNICORN, "-b", BIND],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    answered = False
    while not answered and time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://{BIND}/accounts/login/", timeout=2):
                answered = True
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    if not answered:
        server.terminate()
        raise SystemExit(f"gunicorn did not answer on {BIND}:\n{log.read_text()[-3000:]}")
    try:
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def http_environment(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) for a server on loopback over plain HTTP."""
    return {
        **environment(database_url),
        "STATIC_MANIFEST": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        # The owners are scripts saving as fast as the server answers, far past a person's
        # pace (web/pacing.py, 60 changes a minute): what is measured is the server's speed.
        "KPIBOARD_WRITES_PER_MINUTE": "1000000",
    }


def swarm(env: dict[str, str], folder: Path, args: argparse.Namespace, wait: float) -> Stats:
    """Run locust once; its statistics by request name, and its failures."""
    prefix = folder / f"wait{wait:g}"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless"),
            *("-u", str(args.users), "-r", str(args.users), "-t", args.duration),
            *("--host", f"http://{BIND}", "--csv", str(prefix), "--only-summary"),
        ],
        env={
            **env,
            "KPIBOARD_LOAD_SLOTS": str(folder / "slots.json"),
            "KPIBOARD_LOAD_WAIT": str(wait),
        },
        check=False,  # locust exits 1 when a request failed: the figures say so
        capture_output=True,
        text=True,
    )
    stats_file = prefix.with_name(prefix.name + "_stats.csv")
    if not stats_file.exists():
        raise SystemExit(f"locust failed:\n{done.stderr[-3000:]}")
    with stats_file.open() as stats:
        by_name = {row["Name"]: row for row in csv.DictReader(stats)}
    with prefix.with_name(prefix.name + "_failures.csv").open() as failed:
        return by_name, list(csv.DictReader(failed))


def load(database: str, args: argparse.Namespace) -> dict[float, Stats]:
    """Set up one database and its server; locust's figures for each pause between saves."""
    with (
        empty_database(database, args.postgres) as url,
        tempfile.TemporaryDirectory(prefix="kpiboard-load-") as name,
    ):
        folder = Path(name)
        env = http_environment(url)
        subprocess.run(kpiboard("migrate", "-v", "0"), env=env, check=True)
        subprocess.run(kpiboard("import", str(DEMO)), env=env, check=True, capture_output=True)
        slots = subprocess.run(
            [sys.executable, "-c", OWNERS, str(args.users), PASSWORD],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (folder / "slots.json").write_text(slots)
        with served(env, folder / "gunicorn.log"):
            return {wait: swarm(env, folder, args, wait) for wait in args.wait}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", default="30s")
    parser.add_argument(
        "--wait",
        type=lambda text: [float(part) for part in text.split(",")],
        default=[0.0, 1.0],
        help="seconds each owner pauses between saves, one locust run for each (default 0,1)",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    databases = args.databases.split(",")
    versions = [postgres_version(args.postgres)] if "postgresql" in databases else []
    print(f"Machine: {', '.join([machine(), *versions])}\n")
    print(
        f"{args.users} owners for {args.duration} a run, gunicorn -w 2 --threads 4, locust on "
        "the same machine\n"
    )
    print(
        "| database | pause between saves | request | requests | failures | per second "
        "| p50 | p95 | p99 | max |"
    )
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for database in databases:
        for wait, (stats, failures) in load(database, args).items():
            for name, row in stats.items():
                if "/returns/" not in name:
                    continue
                count, failed, rate, p50, p95, p99, most = (row[c] for c in COLUMNS)
                print(
                    f"| {database} | {wait:g} s | {name} | {count} | {failed} | "
                    f"{float(rate):.1f} | {p50} ms | {p95} ms | {p99} ms | {float(most):.0f} ms |",
                    flush=True,
                )
            for failure in failures:
                print(
                    f"|  {database} | {wait:g} s | failed: {failure['Name']}: "
                    f"{failure['Error']} ({failure['Occurrences']} times) | | | | | | | |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
