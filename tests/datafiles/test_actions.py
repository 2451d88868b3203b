"""actions.csv (formats.md, optional): remedial actions read, refused with every mistake named,
and written back by the folder and the workbook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kpiboard.analysis.model import ActionState, RemedialAction
from kpiboard.analysis.periods import Period
from kpiboard.datafiles import DataFileError, read_dataset, write_folder, write_workbook

DataFolder = Callable[..., Path]

HEADER = "ref,raised_in,action,who,due,state\n"
GOOD = (
    HEADER + "182,2024/25 Q2,Weekly FOI backlog review,Information Governance Manager,2024-12-31,"
    "in_progress\n"
    + '182,2024-05,"Recruit a second officer, full time",,2025-03-31,\n'
    + "214,2024/25,Exit interviews for every leaver,Head of HR,2024-09-30,DONE\n"
)


def test_actions_are_read_with_their_period_date_and_state(data_folder: DataFolder) -> None:
    dataset = read_dataset(data_folder(actions=GOOD))
    # Each indicator's in the order raised: 2024-05 (month 2) before 2024/25 Q2 (July).
    assert dataset.actions["182"] == (
        RemedialAction(
            "182",
            Period.month(2024, 5),
            "Recruit a second officer, full time",
            date(2025, 3, 31),
            "",  # who may be empty
            ActionState.PLANNED,  # an empty state is planned
        ),
        RemedialAction(
            "182",
            Period.quarter(2024, 2),
            "Weekly FOI backlog review",
            date(2024, 12, 31),
            "Information Governance Manager",
            ActionState.IN_PROGRESS,
        ),
    )
    assert dataset.actions["214"] == (
        RemedialAction(
            "214",
            Period.year(2024),
            "Exit interviews for every leaver",
            date(2024, 9, 30),
            "Head of HR",
            ActionState.DONE,  # choices in any case
        ),
    )


def test_a_folder_without_actions_has_none(data_folder: DataFolder) -> None:
    assert read_dataset(data_folder()).actions == {}


CASES = [
    # line, column, value found, part of what is expected
    ("999,2024/25 Q2,Review,,2024-12-31,", "ref", "999", "indicator in indicators.csv"),
    ("182,Q7,Review,,2024-12-31,", "raised_in", "Q7", "a period"),
    ("182,,Review,,2024-12-31,", "raised_in", "", "cannot be empty"),
    ("182,2024/25 Q2,,,2024-12-31,", "action", "", "cannot be empty"),
    ("182,2024/25 Q2,Review,,,", "due", "", "cannot be empty"),
    ("182,2024/25 Q2,Review,,31/12/2024,", "due", "31/12/2024", "year-month-day"),
    ("182,2024/25 Q2,Review,,2024-02-30,", "due", "2024-02-30", "such as 2024-12-31"),
    ("182,2024/25 Q2,Review,,2024-1-5,", "due", "2024-1-5", "year-month-day"),
    ("182,2024/25 Q2,Review,,2024-12-31,started", "state", "started", "planned, in_progress"),
    (
        "182,2024/25 Q2,Weekly FOI backlog review,Someone else,2025-01-31,",
        "action",
        "Weekly FOI backlog review",
        "each action once for ref 182 raised in 2024/25 Q2: row 2 has the same words",
    ),
]


@pytest.mark.parametrize(("line", "column", "found", "expected"), CASES)
def test_each_mistake_is_named_where_it_is(
    data_folder: DataFolder, line: str, column: str, found: str, expected: str
) -> None:
    with pytest.raises(DataFileError) as raised:
        read_dataset(data_folder(actions=GOOD + line + "\n"))
    errors = raised.value.errors
    assert len(errors) == 1, "\n".join(map(str, errors))
    error = errors[0]
    assert (error.file, error.row, error.column, error.value) == ("actions.csv", 5, column, found)
    assert expected in error.expected


def test_every_mistake_is_listed_and_nothing_is_read(data_folder: DataFolder) -> None:
    lines = "999,2024/25 Q2,Review,,2024-12-31,\n182,2024/25 Q2,Review,,soon,maybe\n"
    with pytest.raises(DataFileError) as raised:
        read_dataset(data_folder(actions=HEADER + lines))
    assert [(e.row, e.column) for e in raised.value.errors] == [
        (2, "ref"),
        (3, "due"),
        (3, "state"),
    ]


def test_an_unknown_column_is_refused(data_folder: DataFolder) -> None:
    with pytest.raises(DataFileError) as raised:
        read_dataset(data_folder(actions="ref,raised_in,action,due,owner\n"))
    (error,) = raised.value.errors
    assert (error.file, error.row, error.column) == ("actions.csv", 1, "owner")


@pytest.mark.parametrize("workbook", [False, True], ids=["folder", "workbook"])
def test_actions_survive_a_round_trip(
    data_folder: DataFolder, tmp_path: Path, workbook: bool
) -> None:
    dataset = read_dataset(data_folder(actions=GOOD))
    target = tmp_path / ("out.xlsx" if workbook else "out")
    (write_workbook if workbook else write_folder)(dataset, target)
    again = read_dataset(target)
    assert again.actions == dataset.actions
    assert again == dataset


def test_a_folder_written_without_actions_has_no_actions_file(
    data_folder: DataFolder, tmp_path: Path
) -> None:
    """Data with no actions writes as before; an actions.csv left from an earlier write goes,
    or it would read back as actions the data does not have."""
    dataset = read_dataset(data_folder(actions=GOOD))
    target = tmp_path / "out"
    write_folder(dataset, target)
    assert (target / "actions.csv").exists()
    write_folder(replace(dataset, actions={}), target)
    assert not (target / "actions.csv").exists()
    assert not (target / "breakdowns.csv").exists()
    assert read_dataset(target).actions == {}
