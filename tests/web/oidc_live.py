"""A real OpenID provider on loopback for the sign-in tests: the certified npm ``oidc-provider``
run under Node by ``tests/web/oidc_provider.mjs``, and the site's settings pointed at it.

Outside CI a machine without Node or the package skips these tests; with ``CI=true`` that fails.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from browser import missing
from kpiboard.web.oidc.config import ProviderConfig, content_security_policy, provider_from

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "web" / "oidc_provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "kpiboard-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"
ROLE_GROUPS = "performance=kpi-team;reader=kpi-readers,all-staff;administrator=kpi-admins"
#: The provider's people: their groups decide their roles in kpiboard.
ACCOUNTS = {
    "alice": {
        "email": "alice.kaur@example.gov.uk",
        "email_verified": True,
        "preferred_username": "alice.kaur",
        "given_name": "Alice",
        "family_name": "Kaur",
        "groups": ["kpi-team", "finance"],
    },
    "bob": {
        "email": "bob.osei@example.gov.uk",
        "email_verified": True,
        "preferred_username": "bob.osei",
        "groups": ["all-staff"],
    },
    "carol": {
        "email": "carol.ng@example.gov.uk",
        "email_verified": True,
        "preferred_username": "carol.ng",
        "groups": ["finance", "kpi-team-old"],
    },
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def start_provider(site: str, folder: Path) -> Iterator[str]:
    """Start the provider for ``site`` (the live server's address); yield its issuer once its
    discovery document answers; stop it afterwards."""
    node = shutil.which("node")
    if node is None:
        missing("Node.js is not installed (Debian package nodejs)")
    if not PACKAGE.exists():
        missing("the npm package oidc-provider is not installed (npm ci)")
    port = _free_port()
    settings_file = folder / "oidc-provider.json"
    settings_file.write_text(
        json.dumps(
            {
                "port": port,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uri": f"{site}/oidc/callback/",
                "post_logout_redirect_uri": f"{site}/accounts/login/",
                "accounts": ACCOUNTS,
            }
        ),
        encoding="utf-8",
    )
    log = (folder / "oidc-provider.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [str(node), str(SCRIPT), str(settings_file)], stdout=log, stderr=subprocess.STDOUT
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"{issuer}/.well-known/openid-configuration", timeout=2
                ) as answer:
                    if json.load(answer).get("issuer") == issuer:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise AssertionError(
                    "the OpenID provider did not start:\n"
                    + (folder / "oidc-provider.log").read_text(encoding="utf-8")
                )
            time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def configure_site(settings: Any, issuer: str, **extra: str) -> ProviderConfig:
    """Point the site's settings at the provider, as the environment would."""
    environ = {
        "KPIBOARD_OIDC_ISSUER": issuer,
        "KPIBOARD_OIDC_CLIENT_ID": CLIENT_ID,
        "KPIBOARD_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "KPIBOARD_OIDC_ROLE_GROUPS": ROLE_GROUPS,
        "KPIBOARD_OIDC_PROVIDER_NAME": "Council ID",
        "KPIBOARD_OIDC_SCOPES": "openid email profile groups",
        **extra,
    }
    provider = provider_from(environ)
    assert provider is not None
    settings.KPIBOARD_OIDC = provider
    settings.CONTENT_SECURITY_POLICY = content_security_policy(
        settings.CONTENT_SECURITY_POLICY, provider
    )
    return provider
