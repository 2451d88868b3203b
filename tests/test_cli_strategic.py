"""``kpiboard evaluate`` and ``kpiboard report`` with the strategic scopes (docs/proposals.md):
the Organisational Scorecard and a directorate's strategic scorecard; the other scopes' JSON
unchanged; a bad scope named."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-council"
STRATEGIC = {"182", "186", "ASC5"}


def kpiboard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo council with 182, 186 and ASC5 flagged strategic (x_strategic)."""
    folder = tmp_path_factory.mktemp("strategic") / "data"
    shutil.copytree(DEMO, folder)
    path = folder / "indicators.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        row["x_strategic"] = "true" if row["ref"] in STRATEGIC else ""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _json(data: Path, *args: str) -> dict[str, Any]:
    done = kpiboard("evaluate", str(data), "--period", "2024/25 Q2", "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_organisational_scorecard_is_every_strategic_indicator(data: Path) -> None:
    found = _json(data, "--scope", "strategic")
    assert [i["ref"] for i in found["indicators"]] == ["182", "186", "ASC5"]
    assert found["strategic"] == {"directorate": None}
    assert found["committee"] is None
    assert sum(row["count"] for row in found["summary"]) == 3


def test_a_directorates_strategic_scorecard(data: Path) -> None:
    found = _json(data, "--scope", "strategic:fin")
    assert [i["ref"] for i in found["indicators"]] == ["186"]
    assert found["strategic"] == {"directorate": "fin"}


def test_the_other_scopes_json_has_no_strategic_key(data: Path) -> None:
    for args in (["--committee", "srp"], ["--scope", "directorate:fin"], []):
        found = _json(data, *args)
        assert "strategic" not in found
        assert next(iter(found)) == "organisation"
    assert len(_json(data, "--scope", "directorate:fin")["indicators"]) == 6  # 185-187, 212-214


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "strategic:"], "--scope: 'strategic:' is not a scope"),
        (["--scope", "scorecard"], "expected organisation, committee:ID, directorate:ID"),
        (["--scope", "strategic:zzz"], "unknown directorate 'zzz'"),
        (["--scope", "strategic", "--committee", "srp"], "not both"),
    ],
)
def test_a_bad_scope_exits_2(data: Path, args: list[str], message: str) -> None:
    done = kpiboard("evaluate", str(data), "--period", "2024/25 Q2", *args)
    assert done.returncode == 2
    assert message in done.stderr


def test_the_scorecard_pack_is_titled_and_addressed(data: Path, tmp_path: Path) -> None:
    done = kpiboard(
        "report",
        str(data),
        "--period",
        "2024/25 Q2",
        "--scope",
        "strategic",
        "--out",
        str(tmp_path),
        "--formats",
        "html",
    )
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<span class="subtitle">Organisational Scorecard, 2024/25 Q2</span>' in html
    assert (
        '<tr><th scope="row">To</th><td>Strategy, Resources and Performance Committee</td></tr>'
        in html
    )
    # The organisation's scorecard circulates every proposal of the round in its period.
    assert "Appendix 2: Proposed strategic indicators for comment" in html
    assert 'id="proposal-ASC5"' in html
    assert 'id="proposal-SKPI-ASC-2"' not in html  # a draft
