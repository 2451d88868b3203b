"""Pins for ASVS 4.0.3 Level 2 controls outside the web app (docs/security.md): what the source
tree and its lock files must keep true. Each test fails if the control goes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "kpiboard"


def _python_sources() -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))]


def test_nothing_is_deserialised_with_pickle_marshal_or_yaml() -> None:
    """1.5.2 (5.5.3): no serialisation format that can make objects; JSON, TOML and CSV only."""
    pattern = re.compile(
        r"^\s*(import|from)\s+(pickle|cPickle|dill|shelve|marshal|yaml|jsonpickle)\b"
        r"|\b(pickle|marshal|shelve)\.loads?\(|yaml\.(unsafe_)?load\(",
        re.M,
    )
    found = [str(path) for path, text in _python_sources() if pattern.search(text)]
    assert not found


def test_no_weak_hash_or_home_made_cryptography() -> None:
    """6.2.2, 6.2.5: no MD5 or SHA-1, no cipher of kpiboard's own; hashes are SHA-256 (or BLAKE2
    for cache keys) from hashlib, randomness from ``secrets``. The one use of a cipher, sealing
    second-factor secrets (8.3.7), is in one module, with the ``cryptography`` package's
    AES-GCM and HKDF and nothing else of it."""
    weak = re.compile(
        r"hashlib\.(md5|sha1)\b|hashlib\.new\(\s*['\"](md5|sha1)|\bCrypto\."
        r"|\brandom\.(random|randint|choice|getrandbits)\("
    )
    found = [str(path) for path, text in _python_sources() if weak.search(text)]
    assert not found
    sealing = {path.name: text for path, text in _python_sources() if "cryptography" in text}
    assert set(sealing) == {"encryption.py"}, set(sealing)
    used = set(
        re.findall(r"^from cryptography\.([\w.]+) import (\w+)", sealing["encryption.py"], re.M)
    )
    assert used == {
        ("exceptions", "InvalidTag"),
        ("hazmat.primitives", "hashes"),
        ("hazmat.primitives.ciphers.aead", "AESGCM"),
        ("hazmat.primitives.kdf.hkdf", "HKDF"),
    }, used
    hashes = {m for _, text in _python_sources() for m in re.findall(r"hashlib\.(\w+)\(", text)}
    assert hashes <= {"sha256", "sha512", "blake2b"}, hashes


def test_random_values_for_security_come_from_secrets() -> None:
    """6.3.1: the staged upload's key and the demo passwords use ``secrets``."""
    staging = (SRC / "web" / "register" / "staging.py").read_text(encoding="utf-8")
    seed = (SRC / "web" / "accounts" / "management" / "commands" / "seed_demo.py").read_text(
        encoding="utf-8"
    )
    assert "secrets.token_" in staging
    assert "secrets.token_" in seed
    assert not re.search(r"^\s*import random\b|^\s*from random import", staging + seed, re.M)


def test_python_components_come_from_pypi_with_hashes() -> None:
    """14.2.4: every locked Python package is from PyPI, each file with its SHA-256."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages = lock["package"]
    assert len(packages) > 50
    for package in packages:
        source = package["source"]
        if source.get("editable") == "." or source.get("virtual") == ".":
            continue  # kpiboard itself
        assert source == {"registry": "https://pypi.org/simple"}, package["name"]
        files = ([package["sdist"]] if "sdist" in package else []) + package.get("wheels", [])
        assert files, package["name"]
        for file in files:
            assert file["hash"].startswith("sha256:"), package["name"]


def test_npm_components_come_from_the_registry_with_integrity() -> None:
    """14.2.4: every locked npm package carries a SHA-512 integrity hash and, where its source is
    written, it is the npm registry (no git, file or plain-HTTP sources)."""
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert packages
    for name, package in packages.items():
        assert package.get("integrity", "").startswith("sha512-"), name
        resolved = package.get("resolved", "https://registry.npmjs.org/")
        assert resolved.startswith("https://registry.npmjs.org/"), name
        assert not package.get("link"), name


def test_file_parsing_and_rendering_run_without_django() -> None:
    """14.2.6: the libraries that read untrusted files and write reports are reached only
    through datafiles and reports, which (with analysis) import nothing of Django."""
    script = (
        "import importlib, pkgutil, sys\n"
        "import kpiboard.analysis, kpiboard.datafiles, kpiboard.reports\n"
        "for pkg in (kpiboard.analysis, kpiboard.datafiles, kpiboard.reports):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n == 'django' or n.startswith('django.')))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", run.stdout
    readers = ("calamine", "openpyxl", "defusedxml", "weasyprint", "xlsxwriter", "docx")
    for path, text in _python_sources():
        if path.is_relative_to(SRC / "web") and "migrations" not in path.parts:
            for reader in readers:
                assert not re.search(rf"^\s*(import|from)\s+(python_)?{reader}\b", text, re.M), (
                    path,
                    reader,
                )


def test_nothing_phones_home() -> None:
    """10.2.1: the only network clients in the code are GOV.UK Notify's (web/notify.py) and the
    council's own identity provider's (web/oidc/provider.py: discovery, keys, tokens), each only
    when configured; no page loads analytics or a script from elsewhere."""
    network = re.compile(
        r"^\s*(import|from)\s+(requests|httpx|aiohttp|urllib3|http\.client|socket|smtplib"
        r"|urllib\.request|notifications_python_client)\b",
        re.M,
    )
    clients = sorted(
        str(path.relative_to(SRC)) for path, text in _python_sources() if network.search(text)
    )
    assert clients == ["web/notify.py", "web/oidc/provider.py"], clients
    templates = (SRC / "web" / "templates").rglob("*.html")
    tracker = re.compile(
        r"(?i)analytics|googletagmanager|gtag\(|plausible|matomo|<script[^>]+src=\"(https?:)?//"
    )
    found = [str(t) for t in templates if tracker.search(t.read_text(encoding="utf-8"))]
    assert not found
