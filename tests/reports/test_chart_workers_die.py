"""A pack's chart processes end with the process that started them (issue 16).

``kill -9`` of ``kpiboard report`` once left its two chart workers alive for ever (adopted by
init, about 180 MB each, holding the caller's pipes). This kills a real ``kpiboard report`` of the
demo council while its charts are being drawn, and waits for the workers to go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-council"

pytestmark = [
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)"),
    pytest.mark.usefixtures("charts_drawn"),
]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killing_a_report_ends_its_chart_workers(tmp_path: Path) -> None:
    report = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kpiboard.cli",
            "report",
            str(DEMO),
            "--period",
            "2024/25 Q2",
            "--committee",
            "srp",
            "--out",
            str(tmp_path / "pack"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2 and report.poll() is None:
            workers = _children(report.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the demo pack draws its charts in two processes"
        os.kill(report.pid, signal.SIGKILL)
        report.wait()
        gone_by = time.monotonic() + 10
        while time.monotonic() < gone_by and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], "chart workers outlived the report"
    finally:
        if report.poll() is None:
            report.kill()
