"""Benchmark: the OData Figures set, all pages, against the same rows as the flat CSV feed.

    python benchmarks/odata_speed.py [--indicators 1000] [--months 120] [--clients 20]
        [--rounds 2] [--page-size 5000] [--database sqlite|postgresql] [--work DIR]

A new database (a SQLite file in ``--work``, kept so that a second run skips the set-up; or a new
PostgreSQL database, dropped afterwards), ``kpiboard migrate``, the generated organisation of
benchmarks/generate.py imported from its folder, a reader with an API token, and ``kpiboard
odata_refresh`` (timed: the engine's statuses for every figure, written as rows). Then gunicorn
(``-w 2 --threads 4``, production settings over plain HTTP, on loopback) and, once, one client
reading each feed alone (and checking that both give every row). Then ``--clients`` processes
at once, each reading, ``--rounds`` times, the whole OData set (``/odata/Figures``, following
``@odata.nextLink`` on one kept-alive connection, as Power BI does) and the whole CSV feed
(``/odata/feeds/figures.csv``), half of them CSV first, so that both are measured side by side
under the same load. Each read's wall time is one sample; the figures are the median and the
95th percentile of each kind, and their ratios (goal: the OData set within 2x of the CSV).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_evaluate import machine  # noqa: E402
from bench_import import empty_database, kpiboard, postgres_version  # noqa: E402
from bench_returns_load import http_environment  # noqa: E402
from generate import generate  # noqa: E402

HOST, PORT = "127.0.0.1", 8775
GUNICORN = ("-w", "2", "--threads", "4", "--timeout", "900", "-b", f"{HOST}:{PORT}")
READER = """
import datetime as dt, django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from kpiboard.web.accounts.roles import READER
from kpiboard.web.api.tokens import token_create
user, _ = get_user_model().objects.get_or_create(username="odatareader")
user.groups.add(Group.objects.get(name=READER))
_, raw = token_create(user=user, name="benchmark", scope="read",
                      expires=timezone.now() + dt.timedelta(days=1))
print(raw)
"""


def _headers(token: str) -> dict[str, str]:
    basic = base64.b64encode(f"powerbi:{token}".encode()).decode()
    return {"Authorization": f"Basic {basic}", "Accept": "application/json"}


def read_odata(token: str, parse: bool = False) -> tuple[float, int, int]:
    """Every page of /odata/Figures: (seconds, pages, rows; rows only when ``parse``)."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=900)
    address: str | None = "/odata/Figures"
    pages = rows = 0
    started = time.perf_counter()
    while address:
        connection.request("GET", address, headers=_headers(token))
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{address}: {response.status} {body[:300]!r}")
        pages += 1
        if parse:
            page = json.loads(body)
            rows += len(page["value"])
            following = page.get("@odata.nextLink")
        else:  # the link is the page's last member: found without decoding the page
            at = body.rfind(b'"@odata.nextLink":"')
            following = body[at + 19 : body.rindex(b'"')].decode() if at >= 0 else None
        address = None
        if following:
            parts = urlsplit(following)
            address = f"{parts.path}?{parts.query}"
    connection.close()
    return time.perf_counter() - started, pages, rows


def read_csv(token: str) -> tuple[float, int, int]:
    """The whole flat feed: (seconds, bytes, lines after the header)."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=900)
    started = time.perf_counter()
    connection.request("GET", "/odata/feeds/figures.csv", headers=_headers(token))
    response = connection.getresponse()
    size = lines = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        lines += chunk.count(b"\n")
    if response.status != 200:
        raise SystemExit(f"figures.csv: {response.status}")
    connection.close()
    return time.perf_counter() - started, size, lines - 1


def client(job: tuple[int, int, str]) -> list[tuple[str, float]]:
    """One client's reads: ``rounds`` of each feed, in an order that alternates by client."""
    number, rounds, token = job
    samples = []
    for turn in range(rounds):
        order = ("odata", "csv") if (number + turn) % 2 == 0 else ("csv", "odata")
        for kind in order:
            seconds = read_odata(token)[0] if kind == "odata" else read_csv(token)[0]
            samples.append((kind, seconds))
    return samples


@contextmanager
def served(env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "kpiboard.web.wsgi", *GUNICORN],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=2)
            connection.request("GET", "/odata/")
            connection.getresponse().read()
            break
        except OSError:
            time.sleep(0.3)
    else:
        server.terminate()
        raise SystemExit(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")
    try:
        yield
    finally:
        server.terminate()
        server.wait(timeout=60)


def prepare(env: dict[str, str], source: Path, marker: Path) -> str:
    """Migrate; import and build the figures unless ``marker`` says that was done; the token."""
    subprocess.run(kpiboard("migrate", "-v", "0"), env=env, check=True)
    if not marker.exists():
        started = time.perf_counter()
        subprocess.run(kpiboard("import", str(source)), env=env, check=True, capture_output=True)
        print(f"migrate and import: {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        built = subprocess.run(
            kpiboard("odata_refresh"), env=env, check=True, capture_output=True, text=True
        )
        print(
            f"kpiboard odata_refresh: {built.stdout.strip()} "
            f"({time.perf_counter() - started:.0f} s with start-up)",
            flush=True,
        )
        marker.write_text("ready\n")
    return subprocess.run(
        [sys.executable, "-c", READER], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(env: dict[str, str], token: str, args: argparse.Namespace, log: Path) -> None:
    with served(env, log):
        alone_odata, pages, rows = read_odata(token, parse=True)
        alone_csv, size, lines = read_csv(token)
        if rows != lines:
            raise SystemExit(f"OData gave {rows} rows, the CSV {lines}")
        print(f"\n{rows:,} rows: OData {pages} pages; CSV {size / 1e6:.1f} MB", flush=True)
        print(f"one client alone: OData {alone_odata:.2f} s, CSV {alone_csv:.2f} s\n")
        started = time.perf_counter()
        with multiprocessing.Pool(args.clients) as pool:
            jobs = [(n, args.rounds, token) for n in range(args.clients)]
            samples = [s for found in pool.map(client, jobs) for s in found]
        wall = time.perf_counter() - started
    times = {kind: [seconds for k, seconds in samples if k == kind] for kind in ("odata", "csv")}
    print(f"{args.clients} clients x {args.rounds} rounds, {wall:.0f} s in all\n")
    print("| feed | reads | median | p95 | max | median / CSV median | p95 / CSV p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    csv_median = statistics.median(times["csv"])
    csv_p95 = _quantile(times["csv"], 0.95)
    for kind, label in (("odata", "OData /odata/Figures, all pages"), ("csv", "flat CSV")):
        values = times[kind]
        median, p95 = statistics.median(values), _quantile(values, 0.95)
        print(
            f"| {label} | {len(values)} | {median:.2f} s | {p95:.2f} s | {max(values):.2f} s | "
            f"{median / csv_median:.2f}x | {p95 / csv_p95:.2f}x |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--page-size", type=int, default=5000, help="KPIBOARD_ODATA_PAGE_SIZE")
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--work", type=Path, default=HERE / "generated" / "odata")
    args = parser.parse_args()
    source = HERE / "generated" / f"org{args.indicators}x{args.months}"
    if not (source / "neighbours.csv").exists():
        generate(source, indicators=args.indicators, months=args.months, neighbours=15)
    versions = [postgres_version(args.postgres)] if args.database == "postgresql" else []
    print(f"Machine: {', '.join([machine(), *versions])}; load average {os.getloadavg()[0]:.1f}")
    print(
        f"{args.indicators} indicators x {args.months} months, {args.database}, "
        f"OData pages of {args.page_size} rows",
        flush=True,
    )
    args.work.mkdir(parents=True, exist_ok=True)
    name = f"{args.database}-{args.indicators}x{args.months}"
    # The clients share one token: its per-token limit (120 a minute, which OData counts too)
    # would answer most of them 429 and time the refusals instead of the feed.
    served = {
        "KPIBOARD_ODATA_PAGE_SIZE": str(args.page_size),
        "KPIBOARD_API_REQUESTS_PER_MINUTE": "1000000",
    }
    if args.database == "sqlite":
        url = f"sqlite:///{args.work / name}.sqlite3"
        env = {**http_environment(url), **served}
        measure(env, prepare(env, source, args.work / f"{name}.ready"), args, args.work / "log")
    else:
        with empty_database("postgresql", args.postgres) as url:
            env = {**http_environment(url), **served}
            marker = args.work / f"{name}-{os.getpid()}.ready"
            try:
                measure(env, prepare(env, source, marker), args, args.work / "log")
            finally:
                marker.unlink(missing_ok=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
