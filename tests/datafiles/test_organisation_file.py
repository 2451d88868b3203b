"""organisation.toml: settings checked with the key at fault, unknown tables kept verbatim."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from kpiboard.analysis.model import PercentRounding, ToleranceMode
from kpiboard.analysis.periods import Frequency
from kpiboard.datafiles import DataFileError, read_dataset

DataFolder = Callable[..., Path]
Edit = tuple[str, str]  # (text to replace, its replacement); ("", text) adds text at the end


def edited(organisation: str, edit: Edit) -> str:
    old, new = edit
    if not old:
        return organisation + new
    assert old in organisation
    return organisation.replace(old, new, 1)


@pytest.mark.parametrize(
    ("edit", "column", "found", "expected"),
    [
        (("red_at = 0.10", 'red_at = "abc"'), "tolerance.red_at", "abc", "a number"),
        (("red_at = 0.10", "red_at = 0"), "tolerance.red_at", "0", "above 0"),
        (
            ("blue_above = 0.05", "blue_above = -1"),
            "tolerance.blue_above",
            "-1",
            '0 or more, or "none"',
        ),
        (
            ('mode = "relative"', 'mode = "loose"'),
            "tolerance.mode",
            "loose",
            "one of relative, points",
        ),
        (
            ("year_start_month = 4", "year_start_month = 13"),
            "year_start_month",
            "13",
            "a whole number from 1 to 12",
        ),
        (
            ('percent_rounding = "largest_remainder"', 'percent_rounding = "banker"'),
            "summary.percent_rounding",
            "banker",
            "largest_remainder, independent",
        ),
        (("run_length = 7", "run_length = 1"), "spc.run_length", "1", "from 2 to 100"),
        (
            ("screen_outliers = true", "screen_outliers = 1"),
            "spc.screen_outliers",
            "1",
            "true or false",
        ),
        (("", "[trend]\npoints_month = 2\n"), "trend.points_month", "2", "from 3 to 1000"),
        (
            ("", "[neighbours]\nmin_neighbours = 0\n"),
            "neighbours.min_neighbours",
            "0",
            "from 1 to 1000",
        ),
        (("red_at = 0.10", "red = 0.10"), "tolerance.red", None, "one of the settings"),
        (
            ('area_code = "E10000003"', 'area_code = "E10000003"\nnmae = "x"'),
            "nmae",
            "x",
            "a known setting",
        ),
        (('name = "Test County Council"\n', ""), "name", None, "the council's name"),
        (('id = "ahc"', 'id = "srp"'), "committees[2].id", "srp", "not already used"),
        (('id = "snp"\n', ""), "directorates[1].id", None, "an id"),
        (("[tolerance]", "tolerance = 5\n[tolerance_x]"), "tolerance", "5", "a table"),
    ],
)
def test_a_bad_setting_is_named_by_its_key(
    data_folder: DataFolder,
    default_files: dict[str, str],
    edit: Edit,
    column: str,
    found: str | None,
    expected: str,
) -> None:
    organisation = edited(default_files["organisation"], edit)
    with pytest.raises(DataFileError) as raised:
        read_dataset(data_folder(organisation=organisation))
    matching = [e for e in raised.value.errors if e.column == column]
    assert matching, "\n".join(map(str, raised.value.errors))
    error = matching[0]
    assert (error.file, error.row, error.value) == ("organisation.toml", None, found)
    assert expected in error.expected
    assert str(error).startswith(f"organisation.toml, column {column}: ")


def test_toml_that_cannot_be_read_is_named(data_folder: DataFolder) -> None:
    with pytest.raises(DataFileError) as raised:
        read_dataset(data_folder(organisation='name = "x\n'))
    (error,) = raised.value.errors
    assert error.file == "organisation.toml"
    assert "valid TOML" in error.expected
    assert "line 1" in error.expected


def test_a_missing_organisation_file_is_an_error(data_folder: DataFolder) -> None:
    with pytest.raises(DataFileError) as raised:
        read_dataset(data_folder(organisation=None))
    assert [e.file for e in raised.value.errors] == ["organisation.toml"]


def test_settings_are_read_exactly(data_folder: DataFolder, default_files: dict[str, str]) -> None:
    text = default_files["organisation"]
    for old, new in [
        ("blue_above = 0.05", 'blue_above = "none"'),
        ('mode = "relative"', 'mode = "points"'),
        ("red_at = 0.10", "red_at = 7.5"),
        ('percent_rounding = "largest_remainder"', 'percent_rounding = "independent"'),
        ("", "[trend]\npoints_quarter = 6\n\n[neighbours]\nmin_neighbours = 3\n"),
    ]:
        text = edited(text, (old, new))
    settings = read_dataset(data_folder(organisation=text)).organisation.settings
    assert settings.tolerance.mode is ToleranceMode.POINTS
    assert settings.tolerance.red_at == Decimal("7.5")
    assert settings.tolerance.blue_above is None
    assert settings.percent_rounding is PercentRounding.INDEPENDENT
    assert dict(settings.trend_points) == {
        Frequency.MONTH: 12,
        Frequency.QUARTER: 6,
        Frequency.YEAR: 5,
    }
    assert settings.min_neighbours == 3


def test_percentages_are_rounded_each_on_its_own_unless_the_file_says_otherwise(
    data_folder: DataFolder, default_files: dict[str, str]
) -> None:
    """No percent_rounding (or no [summary] at all): independent, the default of semantics.md
    10; the conftest's file asks for largest_remainder and gets it."""
    given = read_dataset(data_folder()).organisation.settings
    assert given.percent_rounding is PercentRounding.LARGEST_REMAINDER
    for old in (
        'percent_rounding = "largest_remainder"\n',
        '[summary]\npercent_rounding = "largest_remainder"\n',
    ):
        text = edited(default_files["organisation"], (old, ""))
        assert "percent_rounding" not in text
        settings = read_dataset(data_folder(organisation=text)).organisation.settings
        assert settings.percent_rounding is PercentRounding.INDEPENDENT


def test_points_mode_without_thresholds_takes_10_and_5_points(
    data_folder: DataFolder, default_files: dict[str, str]
) -> None:
    thresholds = 'mode = "relative"\nred_at = 0.10\nblue_above = 0.05'
    text = edited(default_files["organisation"], (thresholds, 'mode = "points"'))
    tolerance = read_dataset(data_folder(organisation=text)).organisation.settings.tolerance
    assert (tolerance.red_at, tolerance.blue_above) == (Decimal(10), Decimal(5))


def test_red_at_keeps_its_decimal_digits(data_folder: DataFolder) -> None:
    tolerance = read_dataset(data_folder()).organisation.settings.tolerance
    assert str(tolerance.red_at) == "0.10"


def test_unknown_tables_are_kept_verbatim(
    data_folder: DataFolder, default_files: dict[str, str]
) -> None:
    text = default_files["organisation"] + '\n[[report.appendices]]\ntitle = "A"\npages = [1, 2]\n'
    extra = read_dataset(data_folder(organisation=text)).organisation.extra
    assert extra == {
        "report": {
            "title": "Performance report",
            "srp": {"to": "Strategy, Resources and Performance Committee"},
            "appendices": [{"title": "A", "pages": [1, 2]}],
        }
    }
