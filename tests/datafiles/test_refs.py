"""Indicator refs that are safe everywhere (issue 14, finding 6): the folder and the workbook
refuse a ref outside ``^[A-Za-z0-9._-]{1,20}$`` (or one of the register's own page names), naming
the file, row, column, the value and the pattern expected."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.datafiles import DataError, DataFileError, read_dataset, write_workbook
from kpiboard.datafiles.refs import REF_EXPECTED, REF_PATTERN, ref_problem

DataFolder = Callable[..., Path]

REFS = [
    # ref, safe everywhere
    ("182", True),
    ("ASC1", True),
    ("CS-1.2a", True),
    ("a_b", True),
    ("x" * 20, True),
    ("...", True),  # not a dot-segment of an address
    ("New", True),  # addresses are case-sensitive: /register/New/ is not /register/new/
    ("Z/1", False),
    ("Z\\1", False),
    ("x" * 21, False),
    ("", False),
    ("a b", False),
    ("1\n", False),
    ("a?b", False),
    ("a#b", False),
    ("a%2F", False),
    ("ünï", False),
    ("<script>", False),
    (".", False),
    ("..", False),
    ("new", False),
    ("import", False),
    ("export", False),
]


@pytest.mark.parametrize(("ref", "safe"), REFS)
def test_which_refs_are_safe(ref: str, safe: bool) -> None:
    assert (ref_problem(ref) is None) is safe


@given(st.text(max_size=25))
def test_the_rule_is_the_documented_pattern(ref: str) -> None:
    """What is refused is exactly what misses the pattern, and the five reserved refs."""
    matches = re.fullmatch(REF_PATTERN[1:-1], ref) is not None
    reserved = ref in {".", "..", "new", "import", "export"}
    assert (ref_problem(ref) is None) == (matches and not reserved)


def errors_of(path: Path) -> tuple[DataError, ...]:
    with pytest.raises(DataFileError) as raised:
        read_dataset(path)
    return raised.value.errors


def ref_errors(errors: tuple[DataError, ...]) -> list[str]:
    return [str(e) for e in errors if e.column == "ref" and e.expected == REF_EXPECTED]


@pytest.mark.parametrize("ref", ["Z/1", "new", "..", "x" * 21])
def test_a_folder_refuses_an_unsafe_ref(data_folder: DataFolder, ref: str) -> None:
    line = f"{ref},Potholes filled,,number,0,higher,quarter,sum,none,targeted,srp,snp,,false,,,,\n"
    errors = errors_of(data_folder(add_indicators=line))
    assert ref_errors(errors) == [
        f'indicators.csv, row 5, column ref: found "{ref}", expected {REF_EXPECTED}'
    ]
    assert "^[A-Za-z0-9._-]{1,20}$" in REF_EXPECTED


def test_a_workbook_refuses_an_unsafe_ref(data_folder: DataFolder, tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    write_workbook(read_dataset(data_folder()), path)
    book: Any = openpyxl.load_workbook(path)
    book["indicators"]["A3"] = "Z/1"
    book.save(path)
    assert ref_errors(errors_of(path)) == [
        f'data.xlsx, sheet indicators, row 3, column ref: found "Z/1", expected {REF_EXPECTED}'
    ]


def test_the_demo_and_the_specs_examples_are_safe() -> None:
    """formats.md's example refs (182) and the demo council's all follow the pattern."""
    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-council"
    refs = [
        line.split(",", 1)[0]
        for line in (demo / "indicators.csv").read_text(encoding="utf-8").splitlines()[1:]
    ]
    assert len(refs) > 10
    assert all(ref_problem(ref) is None for ref in refs)
    assert ref_problem("182") is None
