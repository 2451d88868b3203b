"""Load test: committee members and managers reading scorecards and indicator pages.

    KPIBOARD_READER=reader:password KPIBOARD_REFS=1,2,3 locust -f benchmarks/locust_readers.py \\
        --headless -u 20 -r 20 -t 30s --host http://127.0.0.1:8765

benchmarks/bench_scorecard_load.py sets everything up and prints the figures. Each simulated
reader signs in, then in a loop opens the organisation scorecard, an indicator page (one of
``KPIBOARD_REFS`` in turn), and the same two pages saved as static files that the same server
sends as they are (``/scorecard.html`` and ``/indicator.html``, through WhiteNoise), for the ratio
of a page made per request to a file. Statistics are reset once everyone has signed in.
"""

from __future__ import annotations

import itertools
import os
import re

from locust import HttpUser, constant, task

USERNAME, PASSWORD = os.environ["KPIBOARD_READER"].split(":", 1)
REFS = os.environ["KPIBOARD_REFS"].split(",")
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_ref = itertools.cycle(REFS)
_signed_in = itertools.count(1)


class Reader(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="sign in (form)")
        token = _TOKEN.search(page.text)
        assert token, "no CSRF token on the sign-in page"
        answer = self.client.post(
            "/accounts/login/",
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            name="sign in",
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[:500]
        if next(_signed_in) == self.environment.runner.user_count:
            self.environment.runner.stats.reset_all()

    @task
    def scorecard(self) -> None:
        with self.client.get("/scorecard/", name="GET /scorecard/", catch_response=True) as page:
            if page.status_code != 200 or "Organisation scorecard" not in page.text:
                page.failure(f"{page.status_code}: not the scorecard")

    @task
    def indicator(self) -> None:
        ref = next(_next_ref)
        with self.client.get(
            f"/indicators/{ref}/", name="GET /indicators/[ref]/", catch_response=True
        ) as page:
            if page.status_code != 200:
                page.failure(f"{page.status_code}")

    @task
    def static_scorecard(self) -> None:
        self.client.get("/scorecard.html", name="GET /scorecard.html (static file)")

    @task
    def static_indicator(self) -> None:
        self.client.get("/indicator.html", name="GET /indicator.html (static file)")
