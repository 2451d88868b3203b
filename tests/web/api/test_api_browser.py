"""In Chromium: the API's documentation page works under the site's Content-Security-Policy
(Swagger UI served by the site, no CDN, no inline script), and a person makes a token on their
account's tokens page (which passes axe-core) that then opens the API."""

from __future__ import annotations

from typing import Any

import pytest

from web.browsing import demo_council, press, sign_in, watch


@pytest.mark.slow
def test_the_docs_page_runs_under_the_sites_policy(live_server: Any, page: Any) -> None:
    site = demo_council(live_server)
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "request",
        lambda request: None if request.url.startswith(site) else outside.append(request.url),
    )
    response = page.goto(f"{site}/api/v1/docs")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy
    page.wait_for_selector(".opblock", timeout=30_000)
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/returns/{ref}/{period}" in [text.replace("\u200b", "") for text in operations]
    assert len(operations) >= 20
    page.screenshot(path="/tmp/api-docs.png", full_page=False)
    assert [p for p in problems if "Refused" in p or "error" in p] == []
    assert outside == []


@pytest.mark.slow
def test_a_token_made_on_the_page_opens_the_api(live_server: Any, page: Any) -> None:
    site = demo_council(live_server)
    checked = watch(page)
    sign_in(page, site, "reader")
    page.goto(f"{site}/accounts/")
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url(f"{site}/accounts/tokens/")
    checked()
    page.get_by_label("Name").fill("Power BI at home")
    page.get_by_label("1 year").check()
    press(page, "Make token")
    token = page.get_by_label("Your new token").input_value()
    assert token.startswith("kpib_")
    page.screenshot(path="/tmp/api-tokens.png", full_page=True)
    checked()
    answer = page.request.get(
        f"{site}/api/v1/committees", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 200
    assert any(c["id"] == "srp" for c in answer.json())
    press(page, "Revoke Power BI at home")
    assert "is revoked" in page.content()
    checked()
    refused = page.context.request.get(
        f"{site}/api/v1/committees",
        headers={"Authorization": f"Bearer {token}", "Cookie": ""},
    )
    assert refused.status == 401
