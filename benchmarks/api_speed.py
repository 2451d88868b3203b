"""Benchmark: the API's evaluation of a period, warm, against the cached organisation scorecard.

    python benchmarks/api_speed.py [--indicators 1000] [--months 120] [--clients 20]
        [--rounds 5] [--work DIR]

The generated organisation of benchmarks/generate.py in a SQLite database (a copy of the one
benchmarks/odata_speed.py keeps, when there is one, else imported afresh), a reader with a
password and an API token, and gunicorn (``-w 2 --threads 4``, production settings over plain
HTTP, on loopback). Each page is read once first (the evaluation cached per data version, the
scorecard's content cached), then ``--clients`` processes at once each read, ``--rounds``
times, ``GET /api/v1/evaluation`` with the token (the organisation's whole evaluation, about
1,000 indicators' figures as formats.md's JSON) and ``GET /scorecard/`` signed in, half of them
the API first. Each read's wall time is one sample; the figures are the median and the 95th
percentile of each, and the ratio of the medians (goal: the API within 1.5x of the scorecard).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import odata_speed  # noqa: E402
from bench_evaluate import machine  # noqa: E402
from bench_returns_load import http_environment  # noqa: E402
from generate import generate  # noqa: E402

HOST, PORT = "127.0.0.1", 8776
PASSWORD = "benchmark password 4 readers"
READER = f"""
import datetime as dt, django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from kpiboard.web.accounts.roles import READER
from kpiboard.web.api.tokens import token_create
user, _ = get_user_model().objects.get_or_create(username="apireader")
user.set_password({PASSWORD!r})
user.save()
user.groups.add(Group.objects.get(name=READER))
_, raw = token_create(user=user, name="benchmark", scope="read",
                      expires=timezone.now() + dt.timedelta(days=1))
print(raw)
"""


def sign_in() -> str:
    """A session cookie for the reader, through the sign-in form."""
    connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if csrf is None or form is None:
        raise SystemExit("no CSRF token on the sign-in page")
    body = f"username=apireader&password={PASSWORD.replace(' ', '+')}"
    body += f"&csrfmiddlewaretoken={form.group(1)}"
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf.group(1)}",
        },
    )
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    if response.status != 302 or session is None:
        raise SystemExit(f"sign-in failed: {response.status}")
    connection.close()
    return f"sessionid={session.group(1)}"


def read(path: str, headers: dict[str, str]) -> tuple[float, int]:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=300)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    connection.close()
    return seconds, len(body)


def client(job: tuple[int, int, str, str]) -> list[tuple[str, float]]:
    number, rounds, token, cookie = job
    reads = {
        "api": ("/api/v1/evaluation", {"Authorization": f"Bearer {token}"}),
        "scorecard": ("/scorecard/", {"Cookie": cookie}),
    }
    samples = []
    for turn in range(rounds):
        order = ("api", "scorecard") if (number + turn) % 2 == 0 else ("scorecard", "api")
        for kind in order:
            samples.append((kind, read(*reads[kind])[0]))
    return samples


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def database(args: argparse.Namespace, env: dict[str, str], path: Path) -> None:
    """The organisation in ``path``: copied from odata_speed's database, else imported."""
    kept = HERE / "generated" / "odata" / f"sqlite-{args.indicators}x{args.months}.sqlite3"
    if not path.exists() and kept.exists():
        with sqlite3.connect(kept) as source, sqlite3.connect(path) as target:
            source.backup(target)
        (path.parent / f"{path.stem}.ready").write_text("ready\n")
    source_folder = HERE / "generated" / f"org{args.indicators}x{args.months}"
    if not (source_folder / "neighbours.csv").exists():
        generate(source_folder, indicators=args.indicators, months=args.months, neighbours=15)
    odata_speed.prepare(env, source_folder, path.parent / f"{path.stem}.ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=HERE / "generated" / "api")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    path = args.work / f"sqlite-{args.indicators}x{args.months}.sqlite3"
    env = http_environment(f"sqlite:///{path}")
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"{args.indicators} indicators x {args.months} months, sqlite", flush=True)
    database(args, env, path)
    token = subprocess.run(
        [sys.executable, "-c", READER], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    odata_speed.HOST, odata_speed.PORT = HOST, PORT
    odata_speed.GUNICORN = (*odata_speed.GUNICORN[:-2], "-b", f"{HOST}:{PORT}")
    with odata_speed.served(env, args.work / "log"):
        cookie = sign_in()
        first_api, size = read("/api/v1/evaluation", {"Authorization": f"Bearer {token}"})
        first_card, card_size = read("/scorecard/", {"Cookie": cookie})
        print(
            f"first reads (cold caches): evaluation {first_api:.2f} s ({size / 1e6:.1f} MB), "
            f"scorecard {first_card:.2f} s ({card_size / 1e3:.0f} KB)",
            flush=True,
        )
        started = time.perf_counter()
        with multiprocessing.Pool(args.clients) as pool:
            cookies = [sign_in() for _ in range(args.clients)]
            jobs = [(n, args.rounds, token, cookies[n]) for n in range(args.clients)]
            samples = [s for found in pool.map(client, jobs) for s in found]
        wall = time.perf_counter() - started
    times = {kind: [s for k, s in samples if k == kind] for kind in ("api", "scorecard")}
    print(f"\n{args.clients} clients x {args.rounds} rounds, {wall:.0f} s in all\n")
    print("| read | reads | median | p95 | max | median / scorecard median |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    card = statistics.median(times["scorecard"])
    for kind, label in (
        ("api", "`GET /api/v1/evaluation` (token)"),
        ("scorecard", "`GET /scorecard/` (session)"),
    ):
        values = times[kind]
        median = statistics.median(values)
        print(
            f"| {label} | {len(values)} | {median * 1000:.0f} ms | "
            f"{_quantile(values, 0.95) * 1000:.0f} ms | {max(values) * 1000:.0f} ms | "
            f"{median / card:.2f}x |"
        )
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
