"""A small valid data folder, written into tmp_path by each test that asks for one.

``data_folder(**files)`` writes the default files with any replaced: pass a file's name without
``.csv`` (or ``organisation`` for organisation.toml) and its whole text, or None to leave it out;
``add_<name>="..."`` adds lines after the default file's.
``with_row(file, line)`` writes the defaults plus one line at the end of a file, and returns the
folder and that line's spreadsheet row number. ``default_files`` is the text of each default file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpiboard.datafiles import read_dataset, write_workbook

ORGANISATION = """\
name = "Test County Council"
area_code = "E10000003"
year_start_month = 4

[tolerance]
mode = "relative"
red_at = 0.10
blue_above = 0.05

[summary]
percent_rounding = "largest_remainder"

[spc]
screen_outliers = true
run_length = 7
min_points = 13

[[committees]]
id = "srp"
name = "Strategy, Resources and Performance Committee"

[[committees]]
id = "ahc"
name = "Adults and Health Committee"

[[directorates]]
id = "snp"
name = "Strategy and Partnerships"

[[ambitions]]
id = "6"
name = "Places and communities prosper"

[report]
title = "Performance report"

[report.srp]
to = "Strategy, Resources and Performance Committee"
"""

INDICATORS = """\
ref,name,description,unit,decimals,direction,frequency,aggregation,cumulative,category,\
committees,directorate,ambitions,national_definition,owner,tolerance_mode,red_at,blue_above
182,FOI requests answered within 20 working days,Statutory timescale,percent,1,higher,month,\
ratio,none,targeted,srp,snp,6,true,foi@example.gov.uk,,,
214,Staff turnover (rolling 12 months),,percent,1,lower,month,latest,none,targeted,srp;ahc,snp,,\
false,,points,5,none
300,Complaints received,,number,0,lower,quarter,sum,ytd,contextual,ahc,snp,,false,,,,
"""

TARGETS = """\
ref,from,target
182,2024/25,90
214,2024-04,12
300,2024/25 Q1,40
"""

OBSERVATIONS = """\
ref,period,value,numerator,denominator,lower_ci,upper_ci,rebase,note
182,2024-04,,74,100,,,,
182,2024-05,81,81,100,75,86,true,Two late replies
214,2024-04,11.5,,,,,,
300,2024/25 Q1,37,,,,,,
"""

NEIGHBOURS = """\
ref,period,area_code,area_name,value,lower_ci,upper_ci
182,2023/24,E10000003,Cambridgeshire,80,,
182,2023/24,E92000001,England,87.5,,
182,2024/25 Q1,E10000015,Hertfordshire,85,80,90
"""

COMMENTARY = """\
ref,period,commentary,author
182,2024/25 Q1,"Performance improved, **but** stays below target.",A Officer
"""

DEFAULT_FILES = {
    "organisation": ORGANISATION,
    "indicators": INDICATORS,
    "targets": TARGETS,
    "observations": OBSERVATIONS,
    "neighbours": NEIGHBOURS,
    "commentary": COMMENTARY,
}

DataFolder = Callable[..., Path]
WithRow = Callable[[str, str], tuple[Path, int]]


def write_folder_files(folder: Path, files: dict[str, str | None]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if text is None:
            continue
        filename = "organisation.toml" if name == "organisation" else f"{name}.csv"
        (folder / filename).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def default_files() -> dict[str, str]:
    return dict(DEFAULT_FILES)


@pytest.fixture
def data_folder(tmp_path: Path) -> DataFolder:
    counter = iter(range(1_000_000))

    def make(**files: str | None) -> Path:
        texts: dict[str, str | None] = dict(DEFAULT_FILES)
        for name, text in files.items():
            if name.startswith("add_"):  # add_observations="...": lines after the default's
                texts[name[4:]] = DEFAULT_FILES[name[4:]] + (text or "")
            else:
                texts[name] = text
        return write_folder_files(tmp_path / f"data{next(counter)}", texts)

    return make


@pytest.fixture
def with_row(data_folder: DataFolder) -> WithRow:
    def make(file: str, line: str) -> tuple[Path, int]:
        text = DEFAULT_FILES[file] + line + "\n"
        return data_folder(**{file: text}), text.count("\n")

    return make


EditWorkbook = Callable[[Callable[[Any], None]], Path]


@pytest.fixture
def edited_workbook(data_folder: DataFolder, tmp_path: Path) -> EditWorkbook:
    """The default data as a workbook, changed by ``edit(book)`` with openpyxl."""

    def make(edit: Callable[[Any], None]) -> Path:
        path = tmp_path / "data.xlsx"
        write_workbook(read_dataset(data_folder()), path)
        book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
        return path

    return make
