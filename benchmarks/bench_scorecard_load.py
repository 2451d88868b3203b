"""Benchmark: 20 readers on the scorecard and indicator pages of a 1,000-indicator council.

    python benchmarks/bench_scorecard_load.py [--databases sqlite,postgresql] [--users 20]
        [--duration 30s] [--indicators 1000]

For each database: a new, empty database, ``kpiboard migrate``, the generated organisation of
benchmarks/generate.py (1,000 indicators, 120 months, 15 neighbours) imported from its folder, a
reader account, then gunicorn (``-w 2 --threads 4``, production settings over plain HTTP). The
scorecard and one indicator page are fetched once (which fills the evaluation cache, as the first
reader after a change would) and saved as files that the same server then sends as static files
(WhiteNoise's ``WHITENOISE_ROOT``), so that each page made per request is compared with the same
bytes sent from a file, in the same run. Then locust (benchmarks/locust_readers.py) runs
``--users`` readers on loopback with no pause. The figures are locust's.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_evaluate import machine  # noqa: E402
from bench_import import empty_database, kpiboard, postgres_version  # noqa: E402
from bench_returns_load import BIND, http_environment, served  # noqa: E402
from generate import generate  # noqa: E402

PASSWORD = "load-test only, not a real password 8"
READER = """
import sys, django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from kpiboard.web.accounts.roles import READER
from kpiboard.web.register.models import Indicator
user = get_user_model().objects.create_user(username="loadreader", password=sys.argv[1])
user.groups.add(Group.objects.get(name=READER))
print(",".join(Indicator.objects.order_by("position").values_list("ref", flat=True)[:50]))
"""
NAMES = (
    "GET /scorecard/",
    "GET /scorecard.html (static file)",
    "GET /indicators/[ref]/",
    "GET /indicator.html (static file)",
)


def signed_in_opener() -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://{BIND}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    data = urllib.parse.urlencode(
        {"username": "loadreader", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    opener.open(urllib.request.Request(f"http://{BIND}/accounts/login/", data=data))
    return opener


def run(database: str, args: argparse.Namespace, source: Path) -> dict[str, dict[str, str]]:
    with (
        empty_database(database, args.postgres) as url,
        tempfile.TemporaryDirectory(prefix="kpiboard-readers-") as name,
    ):
        folder = Path(name)
        static = folder / "root"
        static.mkdir()
        env = {**http_environment(url), "WHITENOISE_ROOT": str(static)}
        subprocess.run(kpiboard("migrate", "-v", "0"), env=env, check=True)
        subprocess.run(kpiboard("import", str(source)), env=env, check=True, capture_output=True)
        refs = subprocess.run(
            [sys.executable, "-c", READER, PASSWORD],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        # WhiteNoise lists WHITENOISE_ROOT's files when it starts: write them first.
        (static / "scorecard.html").write_text("placeholder")
        (static / "indicator.html").write_text("placeholder")
        with served(env, folder / "gunicorn.log"):
            opener = signed_in_opener()
            scorecard = opener.open(f"http://{BIND}/scorecard/").read()
            indicator = opener.open(f"http://{BIND}/indicators/{refs.split(',')[0]}/").read()
        (static / "scorecard.html").write_bytes(scorecard)
        (static / "indicator.html").write_bytes(indicator)
        with served(env, folder / "gunicorn.log"):
            opener = signed_in_opener()
            opener.open(f"http://{BIND}/scorecard/").read()  # the evaluation cache is filled
            prefix = folder / "readers"
            subprocess.run(
                [
                    *(sys.executable, "-m", "locust", "-f", str(HERE / "locust_readers.py")),
                    *("--headless", "-u", str(args.users), "-r", str(args.users)),
                    *("-t", args.duration, "--host", f"http://{BIND}"),
                    *("--csv", str(prefix), "--only-summary"),
                ],
                env={**env, "KPIBOARD_READER": f"loadreader:{PASSWORD}", "KPIBOARD_REFS": refs},
                check=False,
                capture_output=True,
                text=True,
            )
            with prefix.with_name("readers_stats.csv").open() as stats:
                return {row["Name"]: row for row in csv.DictReader(stats)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", default="30s")
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    source = HERE / "generated" / f"org{args.indicators}"
    if not (source / "neighbours.csv").exists():
        generate(source, indicators=args.indicators, months=120, neighbours=15)
    databases = args.databases.split(",")
    versions = [postgres_version(args.postgres)] if "postgresql" in databases else []
    print(f"Machine: {', '.join([machine(), *versions])}\n")
    print(f"{args.users} readers, {args.indicators} indicators, {args.duration} a run\n")
    print("| database | page | requests | failures | p50 | p95 | p99 | p95 / static file |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for database in databases:
        stats = run(database, args, source)
        for page, static in ((NAMES[0], NAMES[1]), (NAMES[2], NAMES[3])):
            for name in (page, static):
                row = stats.get(name, {})
                ratio = ""
                if name == page and row and stats.get(static):
                    ratio = f"{float(row['95%']) / max(float(stats[static]['95%']), 1):.1f}x"
                print(
                    f"| {database} | {name} | {row.get('Request Count', '-')} | "
                    f"{row.get('Failure Count', '-')} | {row.get('50%', '-')} ms | "
                    f"{row.get('95%', '-')} ms | {row.get('99%', '-')} ms | {ratio} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
