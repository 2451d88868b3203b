"""Reading a data folder: what each file becomes, and the forgiving parts of the CSV format."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from kpiboard.analysis.model import (
    Aggregation,
    Ambition,
    Category,
    Commentary,
    Committee,
    Cumulative,
    Dataset,
    Direction,
    Directorate,
    Indicator,
    NeighbourValue,
    Observation,
    Organisation,
    PercentRounding,
    Settings,
    Target,
    Tolerance,
    ToleranceMode,
    Unit,
)
from kpiboard.analysis.periods import Frequency, parse_period
from kpiboard.datafiles import DataFileError, read_dataset

DataFolder = Callable[..., Path]


def expected_dataset() -> Dataset:
    """The default folder of conftest.py, built by hand."""
    organisation = Organisation(
        name="Test County Council",
        area_code="E10000003",
        settings=Settings(
            tolerance=Tolerance(ToleranceMode.RELATIVE, Decimal("0.10"), Decimal("0.05")),
            # conftest's [summary] asks for it; the default is now independent (spec section 10)
            percent_rounding=PercentRounding.LARGEST_REMAINDER,
        ),
        committees=(
            Committee("srp", "Strategy, Resources and Performance Committee"),
            Committee("ahc", "Adults and Health Committee"),
        ),
        directorates=(Directorate("snp", "Strategy and Partnerships"),),
        ambitions=(Ambition("6", "Places and communities prosper"),),
        extra={
            "report": {
                "title": "Performance report",
                "srp": {"to": "Strategy, Resources and Performance Committee"},
            }
        },
    )
    indicators = [
        Indicator(
            "182",
            "FOI requests answered within 20 working days",
            Unit.PERCENT,
            Direction.HIGHER,
            Frequency.MONTH,
            Category.TARGETED,
            ("srp",),
            "snp",
            description="Statutory timescale",
            aggregation=Aggregation.RATIO,
            ambitions=("6",),
            national_definition=True,
            owner="foi@example.gov.uk",
        ),
        Indicator(
            "214",
            "Staff turnover (rolling 12 months)",
            Unit.PERCENT,
            Direction.LOWER,
            Frequency.MONTH,
            Category.TARGETED,
            ("srp", "ahc"),
            "snp",
            tolerance_mode=ToleranceMode.POINTS,
            red_at=Decimal(5),
            no_blue=True,
        ),
        Indicator(
            "300",
            "Complaints received",
            Unit.NUMBER,
            Direction.LOWER,
            Frequency.QUARTER,
            Category.CONTEXTUAL,
            ("ahc",),
            "snp",
            decimals=0,
            aggregation=Aggregation.SUM,
            cumulative=Cumulative.YTD,
        ),
    ]
    month, quarter, year = Frequency.MONTH, Frequency.QUARTER, Frequency.YEAR
    return Dataset.build(
        organisation,
        indicators,
        targets=[
            Target("182", parse_period("2024/25"), Decimal(90)),
            Target("214", parse_period("2024-04"), Decimal(12)),
            Target("300", parse_period("2024/25 Q1"), Decimal(40)),
        ],
        observations=[
            Observation(
                "182",
                parse_period("2024-04", month),
                Decimal(74),
                Decimal(74),
                Decimal(100),
                value_given=False,
            ),
            Observation(
                "182",
                parse_period("2024-05", month),
                Decimal(81),
                Decimal(81),
                Decimal(100),
                Decimal(75),
                Decimal(86),
                rebase=True,
                note="Two late replies",
            ),
            Observation("214", parse_period("2024-04", month), Decimal("11.5")),
            Observation("300", parse_period("2024/25 Q1", quarter), Decimal(37)),
        ],
        neighbours=[
            NeighbourValue(
                "182", parse_period("2023/24", year), "E10000003", "Cambridgeshire", Decimal(80)
            ),
            NeighbourValue(
                "182", parse_period("2023/24", year), "E92000001", "England", Decimal("87.5")
            ),
            NeighbourValue(
                "182",
                parse_period("2024/25 Q1"),
                "E10000015",
                "Hertfordshire",
                Decimal(85),
                Decimal(80),
                Decimal(90),
            ),
        ],
        commentary=[
            Commentary(
                "182",
                parse_period("2024/25 Q1"),
                "Performance improved, **but** stays below target.",
                "A Officer",
            ),
        ],
    )


def test_the_folder_becomes_the_dataset_it_describes(data_folder: DataFolder) -> None:
    assert read_dataset(data_folder()) == expected_dataset()


def test_a_value_left_empty_is_numerator_over_denominator_times_100(
    data_folder: DataFolder,
) -> None:
    observation = read_dataset(data_folder()).observations["182"][0]
    assert observation.value == Decimal(74)
    assert observation.value_given is False


def test_a_percentage_of_thirds_is_kept_to_28_digits(data_folder: DataFolder) -> None:
    folder = data_folder(add_observations="182,2024-06,,2,3,,,,\n")
    value = read_dataset(folder).observations["182"][-1].value
    assert value == Decimal(200) / Decimal(3)


def test_rows_of_each_ref_are_in_period_order_whatever_the_file_order(
    data_folder: DataFolder,
) -> None:
    rows = "214,2024-07,9,,,,,,\n214,2024-05,11,,,,,,\n214,2024-06,10,,,,,,\n"
    dataset = read_dataset(data_folder(add_observations=rows))
    assert [str(o.period) for o in dataset.observations["214"]] == [
        "2024-04",
        "2024-05",
        "2024-06",
        "2024-07",
    ]


def test_a_byte_order_mark_and_any_case_of_header_are_accepted(
    data_folder: DataFolder, default_files: dict[str, str]
) -> None:
    header, _, body = default_files["indicators"].partition("\n")
    shouted = " , ".join(name.upper() for name in header.split(","))
    folder = data_folder()
    (folder / "indicators.csv").write_bytes(b"\xef\xbb\xbf" + (shouted + "\n" + body).encode())
    assert read_dataset(folder) == expected_dataset()


def test_file_names_match_in_any_case(data_folder: DataFolder) -> None:
    folder = data_folder()
    (folder / "indicators.csv").rename(folder / "Indicators.CSV")
    assert read_dataset(folder) == expected_dataset()


def test_x_columns_are_kept_on_indicators_and_dropped_elsewhere(
    data_folder: DataFolder, default_files: dict[str, str]
) -> None:
    header, _, body = default_files["indicators"].partition("\n")
    rows = body.splitlines()
    indicators = (
        "\n".join([header + ",X_Service,x_notes", rows[0] + ",Information governance,", *rows[1:]])
        + "\n"
    )
    observations = default_files["observations"].replace("rebase,note", "rebase,note,x_source", 1)
    dataset = read_dataset(data_folder(indicators=indicators, observations=observations))
    assert dataset.indicators[0].extra == {"x_service": "Information governance"}
    assert dataset.indicators[1].extra == {}
    assert dataset.observations == expected_dataset().observations


def test_cells_are_stripped_and_blank_lines_skipped(data_folder: DataFolder) -> None:
    observations = (
        "ref , period,value,numerator,denominator,lower_ci,upper_ci,rebase,note\n"
        "\n"
        " 214 ,  2024-04 , 11.5 ,,,,, FALSE ,  \n"
        "\n"
    )
    dataset = read_dataset(data_folder(observations=observations, neighbours=None))
    assert dataset.observations["214"] == (
        Observation("214", parse_period("2024-04"), Decimal("11.5")),
    )


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does(data_folder: DataFolder) -> None:
    observations = "ref,period,value\n\n\n214,2024-04,abc\n"
    with pytest.raises(DataFileError) as raised:
        read_dataset(data_folder(observations=observations))
    assert [(e.row, e.value) for e in raised.value.errors] == [(4, "abc")]


def test_quoted_cells_keep_commas_quotes_and_line_breaks(data_folder: DataFolder) -> None:
    text = 'Line one, with a comma.\n\nA "quoted" word.'
    quoted = '"' + text.replace('"', '""') + '"'
    commentary = f"ref,period,commentary,author\n182,2024/25 Q1,{quoted},Me\n300,2024/25 Q1,x,\n"
    dataset = read_dataset(data_folder(commentary=commentary))
    assert dataset.commentary["182"][0].text == text
    assert dataset.commentary["300"][0].author == ""


def test_a_short_row_has_empty_cells(data_folder: DataFolder) -> None:
    dataset = read_dataset(data_folder(observations="ref,period,value,note\n214,2024-04,11\n"))
    assert dataset.observations["214"][0].note == ""


def test_optional_files_may_be_absent(data_folder: DataFolder) -> None:
    dataset = read_dataset(
        data_folder(targets=None, observations=None, neighbours=None, commentary=None)
    )
    assert len(dataset.indicators) == 3
    assert dict(dataset.observations) == {}
    assert dataset.targets == {}
    assert dataset.commentary == {}
    assert "182" not in dataset.neighbours


def test_optional_columns_may_be_absent(data_folder: DataFolder) -> None:
    indicators = (
        "ref,name,unit,direction,frequency,category,committees,directorate\n"
        "1,One,number,higher,year,baseline,srp,snp\n"
    )
    dataset = read_dataset(
        data_folder(
            indicators=indicators,
            targets=None,
            observations="ref,period,value\n1,2024/25,3\n",
            neighbours=None,
            commentary=None,
        )
    )
    assert dataset.indicators[0] == Indicator(
        "1",
        "One",
        Unit.NUMBER,
        Direction.HIGHER,
        Frequency.YEAR,
        Category.BASELINE,
        ("srp",),
        "snp",
    )
    assert dataset.observations["1"][0].value == 3


def test_numbers_keep_every_digit_as_written(data_folder: DataFolder) -> None:
    folder = data_folder(add_observations="214,2024-05,10.1234567890123456789,,,,,,\n")
    value = read_dataset(folder).observations["214"][-1].value
    assert str(value) == "10.1234567890123456789"


def test_an_empty_file_needs_its_header(data_folder: DataFolder) -> None:
    with pytest.raises(DataFileError) as raised:
        read_dataset(data_folder(targets=""))
    assert [(e.file, e.row) for e in raised.value.errors] == [("targets.csv", 1)]


def test_mappings_of_observations_and_neighbours_act_as_dicts(data_folder: DataFolder) -> None:
    dataset = read_dataset(data_folder())
    assert set(dataset.observations) == {"182", "214", "300"}
    assert len(dataset.neighbours) == 1
    assert dataset.neighbours.get("999") is None
    assert dataset.observations["182"] is dataset.observations["182"]  # made once
    with pytest.raises(KeyError):
        dataset.observations["999"]


def test_neighbour_rows_of_a_year_and_its_first_quarter_interleaved_stay_by_period(
    data_folder: DataFolder,
) -> None:
    """2024/25 and 2024/25 Q1 both start in April, so sorted by start their rows interleave in
    file order; each period still gets its own rows, in file order, as Dataset.build gives."""
    rows = (
        "182,2024/25,E10000003,Cambridgeshire,81,,\n"
        "182,2024/25 Q1,E10000003,Cambridgeshire,82,,\n"
        "182,2024/25,E10000015,Hertfordshire,83,,\n"
    )
    dataset = read_dataset(data_folder(add_neighbours=rows))
    by_period = dataset.neighbours["182"]
    values = {str(period): [n.value for n in found] for period, found in by_period.items()}
    assert values == {
        "2023/24": [Decimal(80), Decimal("87.5")],
        "2024/25 Q1": [Decimal(85), Decimal(82)],
        "2024/25": [Decimal(81), Decimal(83)],
    }
