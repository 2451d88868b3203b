"""Scratch folders that a killed process does not leave behind for ever (issue 16).

``tempfile.TemporaryDirectory`` removes its folder when its block ends, which a process killed
with SIGKILL never reaches (nor a chart worker leaving by ``os._exit`` when its parent died):
every ``kpiboard publish`` killed while generating left its pack in the temporary folder, a few
megabytes each of the council's figures, some not yet published. A scratch folder's name
carries its process's id, and making one first removes this user's folders of the same kind
whose process is gone. (On a host, a process id is reused only after its process has ended; a
reused id keeps its folder until that process ends too.)
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["scratch_folder", "sweep"]


def scratch_folder(prefix: str) -> tempfile.TemporaryDirectory[str]:
    """A new temporary folder named ``{prefix}{pid}-...``, after sweeping the dead ones."""
    sweep(prefix)
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-")


def sweep(prefix: str, root: Path | None = None) -> list[Path]:
    """Remove the folders named ``{prefix}{pid}-...`` in ``root`` (the temporary folder) that
    belong to this user and to a process that is no longer running; the folders removed."""
    removed = []
    for path in Path(root or tempfile.gettempdir()).glob(f"{glob.escape(prefix)}*-*"):
        pid = path.name[len(prefix) :].split("-", 1)[0]
        if not pid.isdigit() or path.is_symlink() or not path.is_dir():
            continue
        try:
            if path.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue  # removed meanwhile
        if _running(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OverflowError:
        return False  # no process has such an id
    return True
