"""Charts already drawn, kept on disk by what they show, so a pack made again draws none of them.

A chart is a pure function of its Vega-Lite spec (which holds its figures, words and colours),
of how it is drawn (SVG, or PNG at a scale, RGB or not) and of the code and the vl-convert that
draw it. Each drawing is kept in a file named by a digest of all of those, so a changed figure,
target, caption, colour, kpiboard or vl-convert is a different name and never a stale picture.
Packs are often made again with the same figures (a draft, then the same pack published; the
narrative or front matter edited; the committee and directorate packs of one quarter sharing
indicators), and drawing is most of a small pack's time (docs/performance.md, issue 12).

Where: ``KPIBOARD_CHART_CACHE`` names the folder; unset, ``$XDG_CACHE_HOME/kpiboard/charts``
(``~/.cache/kpiboard/charts``); ``off`` keeps nothing. The folder is made readable by its owner
only, and a folder that others could write to is not used (its pictures go into reports as they
are). It is kept under ``KPIBOARD_CHART_CACHE_MB`` (256 MB) by removing the least recently used
files. Anything that goes wrong with the folder (full disk, no permission) means charts are
drawn, never that a pack fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["ChartStore", "chart_store"]

log = logging.getLogger(__name__)

#: The modules whose code decides what a chart looks like, beside the spec: a change to any of
#: them changes every name.
_DRAWING_CODE = ("chart_render.py", "png.py", "vega_engine.py", "chart_store.py")
DEFAULT_MEGABYTES = 256


class ChartStore:
    """Drawn charts in ``folder``, by spec and manner of drawing."""

    def __init__(self, folder: Path, megabytes: int = DEFAULT_MEGABYTES) -> None:
        self.folder = folder
        self.limit = megabytes * 1024 * 1024
        self._code = _code_digest()

    def key(self, spec: dict[str, Any], manner: str) -> str:
        """The file name for ``spec`` drawn in ``manner`` (``svg``, ``png:1.5``, ``rgb:1.5``)."""
        digest = hashlib.sha256(self._code.encode())
        digest.update(manner.encode())
        digest.update(b"\0")
        digest.update(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode())
        return digest.hexdigest()

    def get(self, key: str) -> bytes | None:
        path = self.folder / key
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: the last to be removed
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key``: written whole or not at all, so that a reader never
        finds half a picture (another process may be writing the same one)."""
        try:
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".part-")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, self.folder / key)
        except OSError as error:
            log.debug("chart not kept in %s: %s", self.folder, error)
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)

    def trim(self) -> int:
        """Remove the least recently used files until the folder is under its limit; how many
        were removed."""
        try:
            entries = [(entry.stat(), entry.path) for entry in os.scandir(self.folder)]
        except OSError:
            return 0
        total = sum(found.st_size for found, _ in entries)
        removed = 0
        for found, path in sorted(entries, key=lambda entry: entry[0].st_mtime):
            if total <= self.limit:
                break
            with contextlib.suppress(OSError):
                os.unlink(path)
                total -= found.st_size
                removed += 1
        return removed


def chart_store() -> ChartStore | None:
    """The store the environment names, or None when it is off or its folder cannot be used."""
    setting = os.environ.get("KPIBOARD_CHART_CACHE", "").strip()
    if setting.lower() == "off":
        return None
    if setting:
        folder = Path(setting).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
        folder = Path(base) / "kpiboard" / "charts"
    megabytes_text = os.environ.get("KPIBOARD_CHART_CACHE_MB", "").strip()
    megabytes = int(megabytes_text) if megabytes_text.isdigit() else DEFAULT_MEGABYTES
    return _usable(folder, megabytes)


@cache
def _usable(folder: Path, megabytes: int) -> ChartStore | None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = folder.stat()
    except OSError as error:
        log.warning("charts are not kept: %s cannot be used (%s)", folder, error)
        return None
    if found.st_uid != os.getuid() or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        log.warning(
            "charts are not kept: %s is not this user's alone (others could put pictures "
            "into reports through it)",
            folder,
        )
        return None
    return ChartStore(folder, megabytes)


@cache
def _code_digest() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _DRAWING_CODE:
        digest.update((here / name).read_bytes())
    try:
        digest.update(metadata.version("vl-convert-python").encode())
    except metadata.PackageNotFoundError:  # pragma: no cover - vl-convert is a dependency
        digest.update(b"vl-convert unknown")
    return digest.hexdigest()
