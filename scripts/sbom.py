"""Write kpiboard's software bill of materials, CycloneDX 1.6 JSON (ASVS 14.2.5): `make sbom`.

The Python components are what a deployment installs: the locked runtime requirements of
``uv.lock`` (``uv export --no-dev``, with their hashes), turned into CycloneDX by cyclonedx-py.
The browser's components are the files ``scripts/build-frontend`` vendors into the package (GOV.UK
Frontend, htmx, Vega, Vega-Lite, vega-embed), at the versions ``package-lock.json`` locks, each
marked with the file it ships as (Vega's files bundle their own dependencies). Nothing is fetched:
it runs offline, from the two lock files.

    python scripts/sbom.py [out/sbom.json]
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: npm package -> the file(s) of the package it ships as (scripts/build-frontend).
VENDORED = {
    "govuk-frontend": "kpiboard/govuk-frontend.min.js, kpiboard/kpiboard.css",
    "htmx.org": "kpiboard/htmx.min.js",
    "vega": "kpiboard/vega/vega.min.js",
    "vega-lite": "kpiboard/vega/vega-lite.min.js",
    "vega-embed": "kpiboard/vega/vega-embed.min.js",
}


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    if not Path(found).exists() and not shutil.which(found):
        sys.exit(f"uv not found (looked for {found}): set UV to its path")
    return found


def python_components(folder: Path) -> dict[str, object]:
    requirements = folder / "requirements.txt"
    subprocess.run(
        [_uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--format",
         "requirements-txt", "--output-file", str(requirements)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    bom = folder / "python.json"
    cyclonedx = Path(sys.executable).with_name("cyclonedx-py")
    subprocess.run(
        [str(cyclonedx), "requirements", str(requirements), "--pyproject",
         str(ROOT / "pyproject.toml"), "--of", "JSON", "--output-reproducible", "-o", str(bom)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    loaded: dict[str, object] = json.loads(bom.read_text())
    return loaded


def browser_components() -> list[dict[str, object]]:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    components = []
    for name, shipped in VENDORED.items():
        entry = lock["packages"][f"node_modules/{name}"]
        components.append(
            {
                "type": "library",
                "bom-ref": f"pkg:npm/{name}@{entry['version']}",
                "name": name,
                "version": entry["version"],
                "purl": f"pkg:npm/{name}@{entry['version']}",
                "licenses": [{"license": {"id": entry["license"]}}] if "license" in entry else [],
                "hashes": _hashes(entry.get("integrity", "")),
                "properties": [{"name": "kpiboard:vendored-as", "value": shipped}],
            }
        )
    return components


def _hashes(integrity: str) -> list[dict[str, str]]:
    """npm's ``sha512-<base64>`` as CycloneDX's hexadecimal SHA-512."""
    algorithm, _, digest = integrity.partition("-")
    if algorithm != "sha512" or not digest:
        return []
    return [{"alg": "SHA-512", "content": base64.b64decode(digest).hex()}]


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bom = python_components(Path(folder))
    components = bom.setdefault("components", [])
    assert isinstance(components, list)
    components.extend(browser_components())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(bom, indent=2) + "\n")
    print(f"wrote {out}: {len(components)} components")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "sbom.json")
