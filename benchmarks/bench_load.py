"""Workload: 100 readers and 20 owners at once against two app servers on PostgreSQL (issue 16).

    python benchmarks/bench_load.py [--indicators 300] [--readers 100] [--owners 20]
        [--seconds 60] [--wait 0] [--keep-alive 75] [--postgres postgres://postgres@127.0.0.1:5432]

A new PostgreSQL database (``kpiboard_load_*``, dropped afterwards), ``kpiboard migrate``, the
organisation of benchmarks/generate.py (``--indicators`` monthly indicators, 120 months, 15
neighbours) imported from its folder, one reader account and one owner account per owner (each
the owner, by e-mail, of an indicator of its own, whose return for 2024-10 it saves). Then two
gunicorn servers on two loopback ports (``-w 2 --threads 4`` each, production settings over plain
HTTP, as the other benchmarks, and ``--keep-alive 75`` as behind a load balancer: see
``--keep-alive``) and a ``kpiboard db_worker``, all on the one database. The sessions are made
beforehand, as a sign-in makes them, without its deliberately slow password hash.

The scorecard and one indicator page are fetched once and saved as files that the servers then
send as static files (WhiteNoise's ``WHITENOISE_ROOT``; the servers are restarted to list them),
so each page made per request is compared with the same bytes sent from a file by the same
servers, in the same run. Each server is asked for both pages (its first requests) and every
indicator page read is asked for once (the cache is shared: pages already made since the data
last changed). Then locust (benchmarks/locust_load.py) runs ``--readers`` readers with no pause
and ``--owners`` owners saving drafts (``--wait`` seconds between saves), spread over the two
servers, for ``--seconds`` once every user is running. The figures are locust's; the load average
is sampled every two seconds during the run. A server log line with a traceback, an error or a
worker timeout is reported.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_evaluate import machine  # noqa: E402
from bench_import import kpiboard, postgres_version  # noqa: E402
from bench_returns_load import GUNICORN, http_environment  # noqa: E402
from generate import generate  # noqa: E402

#: locust_load.py's request names (it reads its JSON when imported, so they are repeated here).
SCORECARD = "GET /scorecard/"
SCORECARD_FILE = "GET /scorecard.html (static file)"
INDICATOR = "GET /indicators/[ref]/"
INDICATOR_FILE = "GET /indicator.html (static file)"
FORM = "GET /returns/[ref]/[period]/"
SAVE = "POST /returns/[ref]/[period]/ (save a draft)"

PASSWORD = "load-test only, not a real password 16"
PERIOD = "2024-10"  # the month after benchmarks/generate.py's last: no return yet
ACCOUNTS = """
import json, sys, django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from kpiboard.web.accounts.roles import OWNER, READER
from kpiboard.web.collection.models import Return
from kpiboard.web.register.models import Indicator
readers, owners, password, period = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
User = get_user_model()

def session(user):
    # A sign-in's session (user_logged_in: its limits, its row among the person's sessions),
    # without the password hash: that is deliberately slow, and not what is measured.
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value

reader = User.objects.create_user(username="loadreader", password=password)
reader.groups.add(Group.objects.get(name=READER))
rows = list(Indicator.objects.filter(frequency="month").order_by("position"))
if len(rows) < owners:
    sys.exit(f"{len(rows)} monthly indicators for {owners} owners")
slots = []
for n, row in enumerate(rows[-owners:], start=1):
    email = f"owner{n:02d}@load.example"
    Indicator.objects.filter(pk=row.pk).update(owner=email)
    user = User.objects.create_user(username=f"loadowner{n:02d}", password=password, email=email)
    user.groups.add(Group.objects.get(name=OWNER))
    # Its last figure again: an unlikely one would need the owner's reason (plausibility).
    last = Return.objects.filter(indicator=row).order_by("-period_start").first()
    slots.append({"session": session(user), "ref": row.ref, "period": period,
                  "figure": {"value": str(last.value)}})
print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "reader_sessions": [session(reader) for _ in range(readers)],
    "slots": slots,
    "refs": [row.ref for row in rows[:50]],
}))
"""
#: Lines of a server's log that mean a request went wrong on the server.
TROUBLE = re.compile(r"Traceback|WORKER TIMEOUT|\[ERROR\]|Internal Server Error|OperationalError")


@contextmanager
def load_database(server: str) -> Iterator[str]:
    """The DATABASE_URL of a new PostgreSQL database of this workload's own, dropped afterwards
    (also when the run is stopped with SIGTERM)."""
    import psycopg

    name = f"kpiboard_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'create database "{name}"')
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        yield f"{server}/{name}"
    finally:
        signal.signal(signal.SIGTERM, previous)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'drop database if exists "{name}" with (force)')


def _stopped(signum: int, frame: object) -> None:
    raise SystemExit("stopped")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def servers(
    env: dict[str, str], folder: Path, ports: list[int], keep_alive: int
) -> Iterator[list[str]]:
    """A gunicorn on each port and one worker, while the block runs; the servers' addresses."""
    started: list[subprocess.Popen[bytes]] = []
    commands = [
        [
            *(sys.executable, "-m", "gunicorn", "kpiboard.web.wsgi", *GUNICORN),
            *("-b", f"127.0.0.1:{port}", "--no-control-socket"),
            *("--keep-alive", str(keep_alive)),
        ]
        for port in ports
    ]
    commands.append([*kpiboard("db_worker"), "--no-reload"])
    try:
        for n, command in enumerate(commands):
            name = f"server-{ports[n]}" if n < len(ports) else "worker"
            with (folder / f"{name}.log").open("ab") as log:
                started.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log))
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 120
        for base in bases:
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/health/", timeout=30):
                        break
                except (urllib.error.URLError, OSError):  # refused, reset or timed out
                    if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                        raise SystemExit(f"{base} did not answer: see {folder}") from None
                    time.sleep(0.3)
        yield bases
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=60)


def read(url: str, cookie: str) -> bytes:
    """A page as a signed-in reader sees it."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=120) as answer:
        body: bytes = answer.read()
        assert answer.url == url, f"{url} redirected to {answer.url}: not signed in?"
        return body


class LoadSampler:
    """The 1-minute load average every two seconds while the block runs."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(2):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def describe(self) -> str:
        if not self.samples:
            return "not sampled"
        low, high = min(self.samples), max(self.samples)
        mean = sum(self.samples) / len(self.samples)
        return f"{low:.1f} to {high:.1f} (mean {mean:.1f}) on {os.cpu_count()} cores"


def run(args: argparse.Namespace, source: Path) -> None:
    with ExitStack() as stack:
        url = stack.enter_context(load_database(args.postgres))
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kpiboard-load-")))
        static = folder / "root"
        static.mkdir()
        env = {**http_environment(url), "WHITENOISE_ROOT": str(static)}
        subprocess.run(kpiboard("migrate", "-v", "0"), env=env, check=True)
        subprocess.run(kpiboard("import", str(source)), env=env, check=True, capture_output=True)
        made = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    ACCOUNTS,
                    *(str(args.readers), str(args.owners)),
                    PASSWORD,
                    PERIOD,
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        pages = {
            "scorecard.html": "/scorecard/",
            "indicator.html": f"/indicators/{made['refs'][0]}/",
        }
        # WhiteNoise lists WHITENOISE_ROOT's files when it starts: write them first.
        for name in pages:
            (static / name).write_text("placeholder")
        ports = [free_port(), free_port()]
        with servers(env, folder, ports, args.keep_alive) as bases:
            cookie = f"{made['cookie']}={made['reader_sessions'][0]}"
            fetched = {name: read(bases[0] + path, cookie) for name, path in pages.items()}
        for name, body in fetched.items():
            (static / name).write_bytes(body)
        load = folder / "load.json"
        load.write_text(
            json.dumps(
                {
                    **made,
                    "readers": args.readers,
                    "owners": args.owners,
                    "seconds": args.seconds,
                    "wait": args.wait,
                }
            )
        )
        with servers(env, folder, ports, args.keep_alive) as bases:
            # Each process's first requests, and every page read, made once before the run (the
            # cache is shared): the figures are of pages already made since the data last changed.
            for base in bases:
                for _ in range(4):
                    for path in pages.values():
                        read(base + path, cookie)
            for ref in made["refs"]:
                read(f"{bases[0]}/indicators/{ref}/", cookie)
            content = json.loads(load.read_text())
            load.write_text(json.dumps({**content, "hosts": bases}))
            users = args.readers + args.owners
            prefix = folder / "load"
            with LoadSampler() as sampler:
                done = subprocess.run(
                    [
                        *(sys.executable, "-m", "locust", "-f", str(HERE / "locust_load.py")),
                        *("--headless", "-u", str(users), "-r", str(users)),
                        *("-t", f"{args.seconds + 600}s", "--host", bases[0]),
                        *("--csv", str(prefix), "--only-summary", "--stop-timeout", "10"),
                    ],
                    env={**env, "KPIBOARD_LOAD": str(load)},
                    check=False,  # locust exits 1 when a request failed: the figures say so
                    capture_output=True,
                    text=True,
                )
        report(args, folder, prefix, sampler, done)


def report(
    args: argparse.Namespace,
    folder: Path,
    prefix: Path,
    sampler: LoadSampler,
    done: subprocess.CompletedProcess[str],
) -> None:
    stats_file = prefix.with_name("load_stats.csv")
    if not stats_file.exists():
        raise SystemExit(f"locust failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    with stats_file.open() as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    with prefix.with_name("load_failures.csv").open() as failed:
        failures = list(csv.DictReader(failed))
    print(f"Load average during the run: {sampler.describe()}\n")
    print("| page | requests | failures | per second | p50 | p95 | p99 | p95 / static p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    static = {SCORECARD: SCORECARD_FILE, INDICATOR: INDICATOR_FILE}
    for name in (SCORECARD, SCORECARD_FILE, INDICATOR, INDICATOR_FILE, FORM, SAVE, "Aggregated"):
        row = rows.get(name)
        if row is None:
            print(f"| {name} | - | | | | | | |")
            continue
        ratio = ""
        if name in static and rows.get(static[name]):
            ratio = f"{float(row['95%']) / max(float(rows[static[name]]['95%']), 1):.2f}x"
        print(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} ms | {row['95%']} ms | "
            f"{row['99%']} ms | {ratio} |",
            flush=True,
        )
    for failure in failures:
        print(f"failed: {failure['Name']}: {failure['Error']} ({failure['Occurrences']} times)")
    trouble = [
        f"{log.name}: {line}"
        for log in sorted(folder.glob("*.log"))
        for line in log.read_text(errors="replace").splitlines()
        if TROUBLE.search(line)
    ]
    print(f"\nServer log lines with an error: {len(trouble)}")
    for line in trouble[:20]:
        print("  " + line[:300])
    if args.keep_logs:
        for log in folder.glob("*.log"):
            (args.keep_logs / log.name).write_bytes(log.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=300)
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--owners", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--wait", type=float, default=0.0, help="owners' pause between saves")
    parser.add_argument(
        "--keep-alive",
        type=int,
        default=75,
        help="gunicorn's --keep-alive, seconds (75: longer than a load balancer keeps an idle "
        "connection, as gunicorn advises behind one; its default 2 s closes connections a "
        "client starved of CPU is about to reuse)",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep-logs", type=Path, help="copy the servers' logs to this folder")
    args = parser.parse_args()
    source = HERE / "generated" / f"org{args.indicators}"
    if not (source / "neighbours.csv").exists():
        generate(source, indicators=args.indicators, months=120, neighbours=15)
    print(f"Machine: {machine()}, {postgres_version(args.postgres)}")
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print(
        f"{args.readers} readers (no pause) and {args.owners} owners (saving drafts, "
        f"{args.wait:g} s between saves), {args.indicators} indicators x 120 months, two servers "
        f"(gunicorn {' '.join(GUNICORN)} --keep-alive {args.keep_alive} each) and a worker on "
        f"PostgreSQL, {args.seconds} s\n",
        flush=True,
    )
    run(args, source)


if __name__ == "__main__":
    main()
