"""The chart store: a chart drawn once is not drawn again for the same spec, and never stands in
for a different one."""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.reports import rendering
from kpiboard.reports.chart_store import ChartStore, chart_store
from kpiboard.reports.charts import history_chart
from kpiboard.reports.rendering import render_charts


@pytest.fixture
def store_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "charts"
    monkeypatch.setenv("KPIBOARD_CHART_CACHE", str(folder))
    return folder


def _refuse(spec: object, **_: object) -> bytes:
    raise AssertionError("drew a chart the store has")


def test_charts_drawn_once_are_read_back_the_same_without_drawing(
    demo_evaluation: Evaluation, store_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = demo_evaluation.indicators[:4]
    first = render_charts(results, council="Council", svg=True, png=True, rgb=True, workers=1)
    charts = sum(len(found) for found in first.values())
    assert charts >= 4
    kept = [p for p in store_folder.iterdir() if not p.name.startswith(".")]
    assert len(kept) == 2 * charts  # an SVG and an RGB PNG each
    monkeypatch.setattr(rendering, "_draw_svg", _refuse)
    monkeypatch.setattr(rendering, "_draw_png", _refuse)
    again = render_charts(results, council="Council", svg=True, png=True, rgb=True, workers=1)
    assert again == first


def test_a_changed_figure_or_manner_is_another_name(
    demo_evaluation: Evaluation, store_folder: Path
) -> None:
    """The name is a digest of the whole spec and the manner of drawing: one figure changed,
    or the same chart as PNG rather than SVG, is a different file."""
    result = demo_evaluation.result("182")
    spec = history_chart(result, result.targets)
    changed = copy.deepcopy(spec)
    changed["description"] = str(changed.get("description", "")) + " "
    store = chart_store()
    assert store is not None
    names = {
        store.key(spec, "svg"),
        store.key(changed, "svg"),
        store.key(spec, "png:1.5"),
        store.key(spec, "rgb:1.5"),
    }
    assert len(names) == 4
    assert store.key(copy.deepcopy(spec), "svg") == store.key(spec, "svg")
    render_charts([result], council="Council", svg=True, png=False, workers=1)
    other = demo_evaluation.result("183")
    before = set(store_folder.iterdir())
    render_charts([other], council="Council", svg=True, png=False, workers=1)
    assert len(set(store_folder.iterdir()) - before) == len(
        render_charts([other], council="Council", svg=True, png=False, workers=1)["183"]
    )


def test_a_pack_whose_charts_are_kept_draws_nothing(store_folder: Path) -> None:
    """The srp committee's 24 charts drawn in a fresh process (two chart processes), then again
    in another with vl-convert made impossible to import: every chart comes from the store, the
    same bytes."""
    script = (
        "import hashlib, sys\n"
        "if sys.argv[1] == 'blocked':\n"
        "    sys.modules['vl_convert'] = None\n"
        "from pathlib import Path\n"
        "from kpiboard.datafiles import read_dataset\n"
        "from kpiboard.analysis.evaluate import evaluate\n"
        "from kpiboard.analysis.periods import parse_period\n"
        "from kpiboard.reports.rendering import render_charts\n"
        "data = read_dataset(Path('examples/demo-council'))\n"
        "results = evaluate(data, parse_period('2024/25 Q2'), 'srp').indicators\n"
        "drawn = render_charts(results, council='C', svg=True, png=True, rgb=True)\n"
        "digest = hashlib.sha256()\n"
        "for ref in sorted(drawn):\n"
        "    for chart in drawn[ref]:\n"
        "        digest.update(chart.svg.encode() + chart.png)\n"
        "print(sum(len(c) for c in drawn.values()), digest.hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "KPIBOARD_CHART_CACHE": str(store_folder)}

    def run(mode: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script, mode], cwd=root, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.split()

    first = run("open")
    assert first[0] == "24"
    assert run("blocked") == first


def test_a_folder_others_can_write_to_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shared = tmp_path / "shared-charts"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("KPIBOARD_CHART_CACHE", str(shared))
    with caplog.at_level(logging.WARNING):
        assert chart_store() is None
    assert "not this user's alone" in caplog.text
    monkeypatch.setenv("KPIBOARD_CHART_CACHE", "off")
    assert chart_store() is None


def test_a_new_folder_is_its_owner_s_alone(store_folder: Path) -> None:
    assert chart_store() is not None
    assert store_folder.stat().st_mode & 0o077 == 0


def test_trimming_removes_the_least_recently_used_first(tmp_path: Path) -> None:
    store = ChartStore(tmp_path, megabytes=1)
    megabyte = 1024 * 1024
    for number, name in enumerate(("old", "middle", "new")):
        store.put(name, b"x" * (megabyte // 2))
        os.utime(tmp_path / name, (1000 + number, 1000 + number))
    assert store.get("old") is not None  # read now: the most recently used
    assert store.trim() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "old"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".part-")]
