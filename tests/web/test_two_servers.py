"""Two app servers and a worker serve one council without noticing each other (issue 16).

Production is several stateless gunicorn servers behind a load balancer, and one or more
``kpiboard db_worker`` processes, on one database. Here two gunicorn instances (A and B, on two
free loopback ports) and one worker run against a database of the test's own (as in
test_import_crash.py: a SQLite file in the first pass of the suite, a PostgreSQL database of its
own in the second), seeded with ``kpiboard seed_demo``, and people use them over real HTTP with
the login form and CSRF tokens, moving between the servers as a load balancer would send them.
Each process has a temporary folder of its own (TMPDIR), as on separate hosts; they still share
the working folder, which separate hosts would not.


- an import previewed on A is confirmed on B (the upload waits in the database, not on A's disk);
- a report pack asked for on A is made by the worker and downloaded from B;
- the same return opened on A and on B, saved on A, then saved on B from the stale form: B's save
  is refused with the conflict message and A's figure stays;
- /health/ and /health/workers/ answer 200 on both.
"""

from __future__ import annotations

import html
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from web.conftest import DEMO
from web.test_import_crash import database_url, environment, kpiboard  # noqa: F401
from web.test_transfer import _demo_entries, _zip

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
Q2 = "2024/25 Q2"
FORM = "/returns/182/2024-10/"
NEW_TARGET = "New target: 182 from 2025/26: 95"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _passwords(url: str) -> dict[str, str]:
    """``kpiboard seed_demo``'s accounts: username to the password it printed once."""
    done = kpiboard(url, "seed_demo", str(DEMO), "--force")
    assert done.returncode == 0, done.stderr
    accounts = {}
    for line in done.stdout.splitlines()[1:]:
        words = line.split()  # role (one or two words), username, password, e-mail
        accounts[words[-3]] = words[-2]
    return accounts


class Servers:
    """Two gunicorn instances and a worker on one database, stopped together."""

    def __init__(self, url: str, folder: Path) -> None:
        self.env = environment(url)
        self.folder = folder
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.bases: list[str] = []

    def start(self) -> None:
        for name in ("a", "b"):
            port = _free_port()
            self._spawn(
                f"gunicorn-{name}",
                [
                    str(BIN / "gunicorn"),
                    "kpiboard.web.wsgi",
                    *("-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}"),
                    *("--timeout", "60", "--no-control-socket"),
                ],
            )
            self.bases.append(f"http://127.0.0.1:{port}")
        self._spawn(
            "worker",
            [
                *(sys.executable, "-m", "kpiboard.cli", "db_worker"),
                *("--interval", "0.2", "--no-startup-delay", "--no-reload"),
            ],
        )
        deadline = time.monotonic() + 45
        for base in self.bases:
            while True:
                self._alive()
                try:
                    if requests.get(f"{base}/health/", timeout=30).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                assert time.monotonic() < deadline, f"{base} did not start\n{self.logs()}"
                time.sleep(0.2)

    def _spawn(self, name: str, command: list[str]) -> None:
        # A temporary folder of each process's own, as on hosts of their own: a file one left
        # there for a later request is not where the other looks.
        temporary = self.folder / f"tmp-{name}"
        temporary.mkdir()
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command,
            env={**self.env, "TMPDIR": str(temporary)},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path.cwd(),
        )
        self.processes.append((name, process))

    def _alive(self) -> None:
        for name, process in self.processes:
            assert process.poll() is None, f"{name} exited\n{self.logs()}"

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.folder.glob("*.log"))
        )

    def stop(self) -> None:
        for _name, process in self.processes:
            if process.poll() is None:
                process.terminate()
        for _name, process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture
def servers(database_url: str, tmp_path: Path) -> Iterator[tuple[Servers, dict[str, str]]]:  # noqa: F811
    accounts = _passwords(database_url)
    running = Servers(database_url, tmp_path)
    try:
        running.start()
        yield running, accounts
    finally:
        running.stop()


def _token(page: requests.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _sign_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/accounts/login/", timeout=10)
    done = session.post(
        f"{base}/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": _token(form)},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    assert done.status_code == 200
    assert "Sign out" in done.text, done.text[:1000]
    return session


def _post(session: requests.Session, url: str, data: dict[str, Any], **options: Any) -> Any:
    return session.post(url, data, headers={"Referer": url}, timeout=30, **options)


def _fields(page: str) -> dict[str, str]:
    """The values of a return form's inputs and text areas, as a browser would send them."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        name = re.search(r'\bname="([^"]+)"', tag)
        if not name or re.search(r'type="(checkbox|radio|submit)"', tag):
            continue
        value = re.search(r'\bvalue="([^"]*)"', tag)
        fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    areas = re.findall(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S)
    for name, text in areas:
        fields[name] = html.unescape(text).strip()
    return fields


def test_two_app_servers_and_a_worker_serve_one_council(
    servers: tuple[Servers, dict[str, str]],
) -> None:
    running, accounts = servers
    a, b = running.bases

    # (d) The load balancer's check, and the workers' check, pass on both.
    for base in (a, b):
        health = requests.get(f"{base}/health/", timeout=10)
        assert health.status_code == 200, health.text
        assert health.text.splitlines() == ["Database: OK", "Cache: OK"]
        workers = requests.get(f"{base}/health/workers/", timeout=10)
        assert workers.status_code == 200, workers.text
        assert workers.text.splitlines() == ["Database: OK", "Task queue: OK"]

    # One sign-in on A; the load balancer sends the next requests to B (sessions are shared).
    team = _sign_in(a, "performance", accounts["performance"])

    # (a) An import previewed on A and confirmed on B.
    entries = _demo_entries()
    entries["data/targets.csv"] += b"182,2025/26,95\n"
    upload = _zip(entries)
    form = team.get(f"{a}/register/import/", timeout=10)
    preview = _post(
        team,
        f"{a}/register/import/",
        {"csrfmiddlewaretoken": _token(form)},
        files={"file": ("demo.zip", upload, "application/zip")},
    )
    assert preview.status_code == 200
    assert NEW_TARGET in html.unescape(preview.text), preview.text[:2000]
    confirmed = _post(
        team, f"{b}/register/import/confirm/", {"csrfmiddlewaretoken": _token(preview)}
    )
    assert confirmed.status_code == 200
    assert confirmed.url.startswith(f"{b}/register/")
    assert "Imported demo.zip" in html.unescape(confirmed.text), confirmed.text[:2000]
    # B applied it: the same upload now adds nothing.
    form = team.get(f"{b}/register/import/", timeout=10)
    again = _post(
        team,
        f"{b}/register/import/",
        {"csrfmiddlewaretoken": _token(form)},
        files={"file": ("demo.zip", upload, "application/zip")},
    )
    assert again.status_code == 200
    assert NEW_TARGET not in html.unescape(again.text)
    _post(team, f"{b}/register/import/cancel/", {"csrfmiddlewaretoken": _token(again)})

    # (b) A pack asked for on A, made by the worker, downloaded from B.
    runs = team.get(f"{a}/reports/", timeout=10)
    created = _post(
        team,
        f"{a}/reports/",
        {"csrfmiddlewaretoken": _token(runs), "scope": "directorate:fin", "period": Q2},
    )
    found = re.search(r"/reports/(\d+)/$", created.url)
    assert found, (created.url, created.text[:2000])
    run = int(found.group(1))
    generated = _post(
        team, f"{a}/reports/{run}/generate/", {"csrfmiddlewaretoken": _token(created)}
    )
    assert "The pack is being generated" in generated.text, generated.text[:2000]
    deadline = time.monotonic() + 120
    while True:
        pdf = team.get(f"{b}/reports/{run}/files/pdf/", timeout=30)
        if pdf.status_code == 200:
            break
        assert pdf.status_code == 404, pdf.status_code
        running._alive()
        assert time.monotonic() < deadline, f"no pack\n{running.logs()}"
        time.sleep(0.5)
    assert pdf.content.startswith(b"%PDF-")
    page = team.get(f"{b}/reports/{run}/", timeout=10)
    assert "Generated" in page.text
    for fmt, start in (("docx", b"PK"), ("xlsx", b"PK")):
        download = team.get(f"{b}/reports/{run}/files/{fmt}/", timeout=30)
        assert download.status_code == 200, fmt
        assert download.content.startswith(start), fmt

    # (c) The same return opened on A and on B; saved on A, then B's stale save is refused.
    owner_a = _sign_in(a, "helen", accounts["helen"])
    owner_b = _sign_in(b, "helen", accounts["helen"])
    figure = {"denominator": "90", "action": "save"}
    first = _fields(owner_a.get(f"{a}{FORM}", timeout=10).text)
    draft = _post(owner_a, f"{a}{FORM}", {**first, **figure, "numerator": "70"})
    assert "saved as a draft" in draft.text, draft.text[:2000]
    form_a = owner_a.get(f"{a}{FORM}", timeout=10)
    form_b = owner_b.get(f"{b}{FORM}", timeout=10)
    assert form_a.status_code == form_b.status_code == 200
    fields_a, fields_b = _fields(form_a.text), _fields(form_b.text)
    assert fields_a["version"] == fields_b["version"] != ""  # both open the saved draft
    assert fields_b["numerator"] == "70"
    saved = _post(owner_a, f"{a}{FORM}", {**fields_a, **figure, "numerator": "71"})
    assert saved.status_code == 200
    assert "saved as a draft" in saved.text, saved.text[:2000]
    refused = _post(owner_b, f"{b}{FORM}", {**fields_b, **figure, "numerator": "72"})
    assert refused.status_code == 200
    assert "was changed by someone else after you opened it" in html.unescape(refused.text)
    assert "saved as a draft" not in refused.text
    for session, base in ((owner_a, a), (owner_b, b)):
        now = _fields(session.get(f"{base}{FORM}", timeout=10).text)
        assert (now["numerator"], now["denominator"]) == ("71", "90")
        assert int(now["version"]) == int(fields_a["version"]) + 1
