"""`make sbom` (scripts/sbom.py, ASVS 14.2.5): a CycloneDX SBOM of what a deployment runs, made
offline from uv.lock and package-lock.json, that lists each component at its locked version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

ROOT = Path(__file__).resolve().parents[1]


def _lock_entry(name: str) -> dict[str, Any]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    (entry,) = [p for p in lock["package"] if p["name"] == name]
    return dict(entry)


def _locked(name: str) -> str:
    return str(_lock_entry(name)["version"])


def _locked_hashes(name: str) -> set[str]:
    entry = _lock_entry(name)
    files = [entry["sdist"], *entry.get("wheels", [])] if "sdist" in entry else entry["wheels"]
    return {f["hash"].removeprefix("sha256:") for f in files}


def _npm_locked(name: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return str(lock["packages"][f"node_modules/{name}"]["version"])


def test_the_sbom_lists_the_locked_components_and_is_valid_cyclonedx(tmp_path: Path) -> None:
    out = tmp_path / "sbom.json"
    # No proxy that works: anything that tried the network would fail.
    offline = {
        **os.environ,
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sbom.py"), str(out)],
        env=offline,
        check=True,
        capture_output=True,
    )
    text = out.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["bomFormat"] == "CycloneDX"
    assert bom["metadata"]["component"]["name"] == "kpiboard"
    purls = {c["purl"] for c in bom["components"]}
    for name in ("django", "weasyprint", "django-axes", "nh3"):
        assert f"pkg:pypi/{name}@{_locked(name)}" in purls, name
    for name in ("htmx.org", "govuk-frontend", "vega"):
        assert f"pkg:npm/{name}@{_npm_locked(name)}" in purls, name
    django = next(c for c in bom["components"] if c["name"] == "django")
    hashes = {h["content"] for ref in django["externalReferences"] for h in ref["hashes"]}
    assert hashes == _locked_hashes("django")
    # What a deployment runs, not the test tools.
    assert not any(p.startswith(("pkg:pypi/pytest@", "pkg:pypi/mypy@")) for p in purls)
