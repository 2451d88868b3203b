"""Load test: readers and owners at once, spread over several app servers (issue 16).

    KPIBOARD_LOAD=load.json locust -f benchmarks/locust_load.py --headless -u 120 -r 120 \\
        -t 10m --host http://127.0.0.1:8765

benchmarks/bench_load.py sets everything up (a database, the accounts, two gunicorn servers)
and prints the figures. ``KPIBOARD_LOAD`` names a JSON file with ``hosts`` (the servers' base
addresses: the users are spread over them in turn, as a round-robin load balancer would),
``cookie`` (the session cookie's name), ``reader_sessions`` (one signed-in session per reader),
``refs`` (the indicator pages read, in turn), ``slots`` (one per owner: its session, the return's
``ref`` and ``period`` and the ``figure`` to post), ``readers`` and ``owners`` (how many of
each), ``seconds`` (how long the run lasts) and ``wait`` (each owner's pause between saves).

The sessions are made beforehand (a sign-in's password hash is deliberately slow, and 120 at once
are not what is measured). Each reader, with no pause, opens in turn the organisation scorecard,
an indicator page, and the same two pages saved as static files that its server sends as they are
(``/scorecard.html`` and ``/indicator.html``, through WhiteNoise). Each owner GETs its return's
form (CSRF token and version) and POSTs its figure with ``action=save`` (a draft); a POST not
answered by 302 is a failure, with the form's error. Every owner has an indicator of its own, so
no save conflicts with another's. The statistics are reset once every user is running, and the
run stops ``seconds`` later: the figures cover exactly that window.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import HttpUser, constant, events, task
from locust.env import Environment

LOAD: dict[str, Any] = json.loads(Path(os.environ["KPIBOARD_LOAD"]).read_text())
HOSTS: list[str] = LOAD["hosts"]
SCORECARD = "GET /scorecard/"
SCORECARD_FILE = "GET /scorecard.html (static file)"
INDICATOR = "GET /indicators/[ref]/"
INDICATOR_FILE = "GET /indicator.html (static file)"
FORM = "GET /returns/[ref]/[period]/"
SAVE = "POST /returns/[ref]/[period]/ (save a draft)"
_INPUT = re.compile(r"<input[^>]*>")
_ERROR = re.compile(
    r'class="[^"]*govuk-error-(?:message|summary__list)[^"]*"[^>]*>(.*?)</(?:p|ul)>', re.S
)
_TAG = re.compile(r"<[^>]+>")

_next_host = itertools.count()
_next_ref = itertools.cycle(LOAD["refs"])
_next_reader = itertools.count()
_next_slot = itertools.count()
_environment: list[Environment] = []


def hidden_fields(page: str) -> dict[str, str]:
    """The CSRF token and the version of a form page (no version until the return is saved)."""
    found = {}
    for tag in _INPUT.findall(page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) in ("csrfmiddlewaretoken", "version"):
            found[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return found


def _keep(environment: Environment, **_: Any) -> None:
    _environment.append(environment)


def _start_measuring(user_count: int, **_: Any) -> None:
    """Once every user is running: statistics from zero, and the run ends LOAD['seconds'] on."""
    environment = _environment[0]
    environment.stats.reset_all()
    runner = environment.runner
    assert runner is not None
    gevent.spawn_later(float(LOAD["seconds"]), runner.quit)


events.init.add_listener(_keep)  # type: ignore[no-untyped-call]
events.spawning_complete.add_listener(_start_measuring)  # type: ignore[no-untyped-call]


class _Signed(HttpUser):
    abstract = True

    def signed_in(self, session: str) -> None:
        """This user's server (a round-robin load balancer: each user sticks to one, the users
        alternate) and its session, made by bench_load.py as a sign-in would make it."""
        self.client.base_url = HOSTS[next(_next_host) % len(HOSTS)]
        self.client.cookies.set(LOAD["cookie"], session)


class Reader(_Signed):
    fixed_count = int(LOAD["readers"])
    wait_time = constant(0)

    def on_start(self) -> None:
        self.signed_in(LOAD["reader_sessions"][next(_next_reader)])

    @task
    def read(self) -> None:
        with self.client.get("/scorecard/", name=SCORECARD, catch_response=True) as page:
            if page.status_code != 200 or "Organisation scorecard" not in page.text:
                page.failure(f"{page.status_code}: not the scorecard")
        ref = next(_next_ref)
        with self.client.get(f"/indicators/{ref}/", name=INDICATOR, catch_response=True) as page:
            if page.status_code != 200 or ref not in page.text:
                page.failure(f"{page.status_code}: not the page of {ref}")
        self.client.get("/scorecard.html", name=SCORECARD_FILE)
        self.client.get("/indicator.html", name=INDICATOR_FILE)


class Owner(_Signed):
    fixed_count = int(LOAD["owners"])
    wait_time = constant(float(LOAD["wait"]))

    def on_start(self) -> None:
        self.slot = LOAD["slots"][next(_next_slot) % len(LOAD["slots"])]
        self.path = f"/returns/{self.slot['ref']}/{self.slot['period']}/"
        self.signed_in(self.slot["session"])

    @task
    def save_a_draft(self) -> None:
        with self.client.get(self.path, name=FORM, catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"{page.status_code}: no form")
                return
        with self.client.post(
            self.path,
            {
                **hidden_fields(page.text),
                **self.slot["figure"],
                "note": "",
                "commentary": "",
                "action": "save",
            },
            name=SAVE,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                errors = [
                    " ".join(_TAG.sub(" ", e).split()) for e in _ERROR.findall(response.text or "")
                ]
                response.failure(f"{response.status_code}: {'; '.join(errors) or 'not saved'}")
