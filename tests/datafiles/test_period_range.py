"""A period a data file names must be one kpiboard can date, in the years 1900 to 2200
(kpiboard.analysis.periods.EARLIEST_YEAR): the error says so, not only that it did not read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kpiboard.datafiles import DataFileError, read_dataset

WithRow = Callable[[str, str], tuple[Path, int]]


@pytest.mark.parametrize(
    ("file", "line", "column", "value"),
    [
        ("observations", "214,0000-01,11,,,,,,", "period", "0000-01"),
        ("observations", "214,9999-12,11,,,,,,", "period", "9999-12"),
        ("targets", "214,0000/01,12", "from", "0000/01"),
        ("commentary", "182,9999/00 Q4,Late,", "period", "9999/00 Q4"),
    ],
)
def test_a_period_outside_1900_to_2200_is_named(
    with_row: WithRow, file: str, line: str, column: str, value: str
) -> None:
    folder, row = with_row(file, line)
    with pytest.raises(DataFileError) as raised:
        read_dataset(folder)
    assert [str(error) for error in raised.value.errors] == [
        f'{file}.csv, row {row}, column {column}: found "{value}", expected a period in the '
        "years 1900 to 2200"
    ]
