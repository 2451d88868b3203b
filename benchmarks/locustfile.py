"""Load test: indicator owners saving drafts of their returns, each over and over.

    KPIBOARD_LOAD_SLOTS=slots.json locust -f benchmarks/locustfile.py --headless \\
        -u 20 -r 20 -t 30s --host http://127.0.0.1:8765

benchmarks/bench_returns_load.py sets everything up (a database with the demo council, owner
accounts, a gunicorn server), runs this and prints the figures. ``KPIBOARD_LOAD_SLOTS`` names a
JSON list with one entry per simulated owner: ``username``, ``password``, the return's ``ref`` and
``period`` (a slug, ``2024-10``) and the ``figure`` to post (``{"value": "50"}``, or a numerator
and denominator). Each owner has a return of its own, so saves never conflict.

Each simulated owner signs in through the login form, then in a loop: GETs the return form (for
the CSRF token and the return's version, as a browser would), and POSTs the figure with
``action=save`` without following the redirect. The POST is the request measured; one that does
not answer 302 (saved) counts as a failure, with the form's error if there is one. Statistics are
reset once every owner has signed in, so the sign-ins (a deliberately slow password hash) are not
counted with the saves.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, constant, task

SLOTS: list[dict[str, Any]] = json.loads(Path(os.environ["KPIBOARD_LOAD_SLOTS"]).read_text())
#: Seconds each owner waits between one save and the next (0: straight away).
WAIT = float(os.environ.get("KPIBOARD_LOAD_WAIT", "0"))
SAVE = "POST /returns/[ref]/[period]/ (save a draft)"
FORM = "GET /returns/[ref]/[period]/"
_INPUT = re.compile(r"<input[^>]*>")
_ERROR = re.compile(r'class="govuk-error-message"[^>]*>(.*?)</', re.S)

_taken = itertools.count()
_signed_in = itertools.count(1)
_everyone_in = False


def hidden_fields(page: str) -> dict[str, str]:
    """The CSRF token and the version of a form page (no version until the return is saved)."""
    found = {}
    for tag in _INPUT.findall(page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) in ("csrfmiddlewaretoken", "version"):
            found[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return found


class Owner(HttpUser):
    wait_time = constant(WAIT)

    def on_start(self) -> None:
        global _everyone_in
        self.slot = SLOTS[next(_taken) % len(SLOTS)]
        self.path = f"/returns/{self.slot['ref']}/{self.slot['period']}/"
        login = self.client.get("/accounts/login/", name="GET /accounts/login/")
        signed_in = self.client.post(
            "/accounts/login/",
            {
                **hidden_fields(login.text),
                "username": self.slot["username"],
                "password": self.slot["password"],
            },
            name="POST /accounts/login/",
            allow_redirects=False,
        )
        if signed_in.status_code != 302:
            raise RuntimeError(f"{self.slot['username']} could not sign in")
        everyone = getattr(self.environment.parsed_options, "num_users", None) or len(SLOTS)
        if next(_signed_in) >= everyone:
            self.environment.stats.reset_all()
            _everyone_in = True
        while not _everyone_in:
            time.sleep(0.05)  # cooperative: locust runs users as gevent greenlets

    @task
    def save_a_draft(self) -> None:
        page = self.client.get(self.path, name=FORM)
        fields = hidden_fields(page.text)
        with self.client.post(
            self.path,
            {**fields, **self.slot["figure"], "note": "", "commentary": "", "action": "save"},
            name=SAVE,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                errors = [" ".join(e.split()) for e in _ERROR.findall(response.text or "")]
                response.failure(f"{response.status_code}: {'; '.join(errors) or 'not saved'}")
