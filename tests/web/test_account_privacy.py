"""A privacy notice linked from every page's footer (ASVS 8.3.3): the council's own notice, from
``KPIBOARD_PRIVACY_URL``; no link at all when it is not set."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOTICE = "https://www.example.gov.uk/privacy/performance-system"


def _footer_links(html: bytes) -> dict[str, str]:
    footers = lxml.html.fromstring(html).xpath("//footer")
    assert len(footers) == 1
    return {link.text_content().strip(): str(link.get("href")) for link in footers[0].iter("a")}


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_footer_links_the_privacy_notice_when_one_is_set(
    settings: Any, client_as: Any, signed_in: bool
) -> None:
    settings.KPIBOARD_PRIVACY_URL = NOTICE
    client = client_as("reader") if signed_in else Client()
    page = client.get(reverse("account") if signed_in else reverse("login"))
    assert page.status_code == 200
    assert _footer_links(page.content).get("Privacy notice") == NOTICE


def test_there_is_no_privacy_link_when_none_is_set(settings: Any) -> None:
    settings.KPIBOARD_PRIVACY_URL = ""
    page = Client().get(reverse("login"))
    assert "Privacy notice" not in _footer_links(page.content)


@pytest.mark.parametrize(
    ("value", "expected"), [(NOTICE, NOTICE), ("  /privacy/  ", "/privacy/"), ("", "")]
)
def test_the_setting_is_read_from_the_environment(value: str, expected: str) -> None:
    env = {**os.environ, "KPIBOARD_PRIVACY_URL": value}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kpiboard.web import settings; print(repr(settings.KPIBOARD_PRIVACY_URL))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)


def test_a_privacy_url_that_is_not_a_web_address_is_refused_at_start() -> None:
    env = {**os.environ, "KPIBOARD_PRIVACY_URL": "javascript:alert(1)"}
    result = subprocess.run(
        [sys.executable, "-c", "import kpiboard.web.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "KPIBOARD_PRIVACY_URL='javascript:alert(1)'" in result.stderr
