"""Security headers on every page (issue 14, finding 7): a strict Content-Security-Policy with a
fresh nonce for each response (the nonce was the fixed word "kpiboard" and htmx could eval),
and ``Cache-Control: private, no-store`` on signed-in pages (they carried none). The browser test
at the end uses the site under that policy and counts the violations Chromium reports."""

from __future__ import annotations

import re
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from django.test import Client

from web.browsing import demo_council, sign_in

#: Pages by who opens them (None: someone not signed in).
PAGES: dict[str | None, list[str]] = {
    None: ["/accounts/login/", "/published/", "/open-data/"],
    "performance": [
        "/scorecard/",
        "/scorecard/committee/srp/",
        "/scorecard/directorate/snp/?status=red&sort=status",
        "/indicators/182/",
        "/register/",
        "/register/182/",
        "/register/182/history/",
        "/register/import/",
        "/returns/",
        "/returns/182/2024-10/",
        "/review/",
        "/review/outstanding/",
        "/reports/",
        "/reports/narrative/?scope=srp&period=2024/25+Q2",
        "/published/",
    ],
    "reader": ["/scorecard/", "/register/", "/indicators/190/"],
    "owner": ["/returns/", "/returns/182/2024-10/"],
}
CASES = [(role, path) for role, paths in PAGES.items() for path in paths]


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _get(client_as: Any, role: str | None, path: str) -> Any:
    client = client_as(role) if role else Client()
    response = client.get(path)
    assert response.status_code == 200, (role, path, response.status_code)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "path"), CASES)
def test_every_page_has_a_strict_policy_whose_nonce_its_scripts_carry(
    client_as: Any, role: str | None, path: str
) -> None:
    response = _get(client_as, role, path)
    policy = _policy(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    nonces = [word for word in policy["script-src"] if word.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    assert len(nonce) >= 16
    assert nonce != "kpiboard"
    doc = lxml.html.fromstring(response.content)
    for script in doc.xpath("//script[not(@src)][not(@type='application/json')]"):
        assert script.get("nonce") == nonce, lxml.html.tostring(script)[:120]
    # Nothing the policy would block: no inline handlers, no style attributes.
    assert not doc.xpath("//@*[starts-with(name(), 'on')]")
    assert not doc.xpath("//@style")
    config = doc.xpath("//meta[@name='htmx-config']/@content")
    assert config
    assert '"allowEval": false' in config[0]
    # No copies of signed-in pages in the browser's storage after signing out (htmx keeps
    # pages it pushed to the history in sessionStorage unless told not to): security.md, 8.2.2.
    assert '"historyCacheSize": 0' in config[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    if role:
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_each_response_has_a_nonce_of_its_own(client_as: Any) -> None:
    client = client_as("reader")
    seen = {
        re.search(r"'nonce-([^']+)'", client.get("/scorecard/")["Content-Security-Policy"])[1]  # type: ignore[index]
        for _ in range(3)
    }
    assert len(seen) == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_site_works_under_its_policy_with_no_violation(live_server: Any, page: Any) -> None:
    """Charts drawn, htmx filtering the table and previewing a return, GOV.UK Frontend's error
    summary: all under the policy, and Chromium reports not one violation."""
    site = demo_council(live_server)
    page.add_init_script(
        "window.violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.violations.push("
        "e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));"
    )
    sign_in(page, site, "perf")
    seen: list[str] = []

    def visit(path: str) -> None:
        page.goto(site + path)
        seen.extend(page.evaluate("window.violations"))

    visit("/indicators/182/?period=2024-25-q2")
    page.locator("#history-chart svg").wait_for(state="visible", timeout=10_000)
    page.locator("#history-chart svg .reported_marker_marks path").last.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "2024/25 Q2" in tooltip.inner_text()
    seen.extend(page.evaluate("window.violations"))

    visit("/scorecard/directorate/snp/?period=2024-25-q2")
    before = page.url
    page.locator("#indicator-table").get_by_role("link", name=re.compile("^Status")).first.click()
    page.wait_for_url(lambda url: url != before, timeout=10_000)
    seen.extend(page.evaluate("window.violations"))
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None

    visit("/returns/182/2024-10/")
    page.get_by_label("Numerator", exact=True).fill("80")
    page.get_by_label("Denominator", exact=True).fill("100")
    page.locator("#outlook").get_by_text("80.0%").first.wait_for(timeout=10_000)
    seen.extend(page.evaluate("window.violations"))
    assert seen == []
