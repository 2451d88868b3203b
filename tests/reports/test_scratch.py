"""Scratch folders of killed processes are swept by the next one (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kpiboard.reports.scratch import scratch_folder, sweep


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_the_folders_of_processes_that_are_gone_are_swept(tmp_path: Path) -> None:
    dead = tmp_path / f"kpiboard-pack-{_dead_pid()}-abc123"
    dead.mkdir()
    (dead / "report.pdf").write_bytes(b"%PDF figures")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as running:
        kept = [
            tmp_path / f"kpiboard-pack-{os.getpid()}-mine",  # this process's own
            tmp_path / f"kpiboard-pack-{running.pid}-busy",  # another process still working
            tmp_path / "kpiboard-pack-old_name",  # made before folders carried their process
            tmp_path / f"kpiboard-fonts-{_dead_pid()}-other",  # another kind of folder
        ]
        for path in kept:
            path.mkdir()
        (tmp_path / f"kpiboard-pack-{_dead_pid()}-file").write_text("not a folder")
        try:
            assert sweep("kpiboard-pack-", tmp_path) == [dead]
        finally:
            running.kill()
    assert not dead.exists()
    assert all(path.is_dir() for path in kept)
    assert (tmp_path / f"kpiboard-pack-{running.pid}-busy").is_dir()


def test_a_scratch_folder_names_its_process_and_sweeps_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    left = tmp_path / f"kpiboard-preview-{_dead_pid()}-xyz"
    left.mkdir()
    with scratch_folder("kpiboard-preview-") as folder:
        assert Path(folder).parent == tmp_path
        assert Path(folder).name.startswith(f"kpiboard-preview-{os.getpid()}-")
        assert not left.exists()
    assert not Path(folder).exists()
