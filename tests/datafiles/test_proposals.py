"""The proposals/ folder (docs/proposals.md): rounds, proposals and comments read, refused with
every mistake named, and written back unchanged by the folder and the workbook; the [strategic]
table of organisation.toml and indicators.csv's x_strategic column checked."""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datafiles.conftest import ORGANISATION
from kpiboard.analysis.model import Dataset, Direction, Unit
from kpiboard.analysis.periods import Frequency, Period
from kpiboard.analysis.proposals import (
    Proposal,
    ProposalComment,
    ProposalRound,
    ProposalState,
    RoundState,
)
from kpiboard.datafiles import DataFileError, read_dataset, write_folder, write_workbook
from kpiboard.datafiles.errors import DataError
from kpiboard.reports.strategic import strategic_settings

DataFolder = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-council"

ROUNDS = (
    "id,name,state,circulate_in,opened_on,closed_on\n"
    "r25,Strategic KPIs for 2025/26,open,Q2 2024-25,2024-10-01,\n"
)
PROPOSALS_HEADER = (
    "round,ref,name,directorate,unit,direction,frequency,committees,description,rationale,"
    "owner,decimals,target,start,ambitions,national_definition,state,decided_by,decided_on,"
    "amendment,amendment_reason\n"
)
PROPOSALS = (
    PROPOSALS_HEADER
    + "r25,182,FOI on time,snp,percent,higher,month,srp,Answered in 20 days,Openness,"
    "foi@example.gov.uk,1,90.0,2025/26 Q1,6,false,proposed,,,,\n"
    + "r25,SKPI-1,Residents satisfied,snp,percent,higher,quarter,srp;ahc,,,,,75,2025/26 Q1,,"
    "true,adopted,srp,2025-01-23,Target 75 not 80,Baseline too short\n"
)
COMMENTS = (
    "round,ref,committee,meeting_date,comment,response\n"
    "r25,182,srp,2024-11-21,Why not 95%?,The Commissioner expects 90%.\n"
    "r25,SKPI-1,ahc,2024-11-14,Show it by locality,\n"
)


def _folder(
    data_folder: DataFolder,
    rounds: str | None = ROUNDS,
    proposals: str | None = PROPOSALS,
    comments: str | None = COMMENTS,
    **files: str | None,
) -> Path:
    folder = data_folder(**files)
    place = folder / "proposals"
    place.mkdir()
    for name, text in (("rounds", rounds), ("proposals", proposals), ("comments", comments)):
        if text is not None:
            (place / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _errors(folder: Path) -> list[DataError]:
    with pytest.raises(DataFileError) as raised:
        read_dataset(folder)
    return list(raised.value.errors)


def test_the_files_are_read_into_rounds_proposals_and_comments(data_folder: DataFolder) -> None:
    dataset = read_dataset(_folder(data_folder))
    assert dataset.rounds == (
        ProposalRound(
            "r25",
            "Strategic KPIs for 2025/26",
            RoundState.OPEN,
            Period.quarter(2024, 2),  # "Q2 2024-25" read as any label is
            date(2024, 10, 1),
            None,
        ),
    )
    first, second = dataset.proposals
    assert first == Proposal(
        round="r25",
        ref="182",
        name="FOI on time",
        directorate="snp",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        frequency=Frequency.MONTH,
        committees=("srp",),
        description="Answered in 20 days",
        rationale="Openness",
        owner="foi@example.gov.uk",
        decimals=1,
        target=Decimal("90.0"),
        start=Period.quarter(2025, 1),
        ambitions=("6",),
        national_definition=False,
        state=ProposalState.PROPOSED,
    )
    assert second.committees == ("srp", "ahc")
    assert second.decimals == 1  # an empty decimals is 1, as in indicators.csv
    assert second.national_definition is True
    assert (second.state, second.decided_by, second.decided_on) == (
        ProposalState.ADOPTED,
        "srp",
        date(2025, 1, 23),
    )
    assert (second.amendment, second.amendment_reason) == ("Target 75 not 80", "Baseline too short")
    assert dataset.proposal_comments == (
        ProposalComment(
            "r25", "182", "srp", date(2024, 11, 21), "Why not 95%?", "The Commissioner expects 90%."
        ),
        ProposalComment("r25", "SKPI-1", "ahc", date(2024, 11, 14), "Show it by locality", ""),
    )


def test_no_proposals_folder_means_none(data_folder: DataFolder) -> None:
    dataset = read_dataset(data_folder())
    assert (dataset.rounds, dataset.proposals, dataset.proposal_comments) == ((), (), ())


def test_headers_in_any_case_and_x_columns_are_accepted(data_folder: DataFolder) -> None:
    rounds = "ID,Name,STATE,Circulate_In,opened_on,closed_on,x_note\nr25,Round,,,,,kept aside\n"
    dataset = read_dataset(_folder(data_folder, rounds=rounds, proposals=None, comments=None))
    assert dataset.rounds == (ProposalRound("r25", "Round"),)  # an empty state is open


# (file, its whole text, the error's row, column, value, words expected)
BAD = [
    pytest.param(
        "rounds",
        ROUNDS + "r25,Again,open,,,\n",
        3, "id", "r25", "a round id not used before: row 2 has it",
        id="duplicate-round",
    ),
    pytest.param(
        "rounds",
        ROUNDS.replace("Q2 2024-25", "Q5 2024-25"),
        2, "circulate_in", "Q5 2024-25", "a period",
        id="circulate-in-not-a-period",
    ),
    pytest.param(
        "rounds",
        ROUNDS.replace("2024-10-01,", "2024-10-01,2024-09-30"),
        2, "closed_on", "2024-09-30", "on or after the round was opened (2024-10-01)",
        id="closed-before-opened",
    ),
    pytest.param(
        "rounds",
        ROUNDS.replace(",open,", ",ajar,"),
        2, "state", "ajar", "one of open, closed",
        id="bad-round-state",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("r25,182,", "r26,182,"),
        2, "round", "r26", "the id of a round in proposals/rounds.csv: r25",
        id="unknown-round",
    ),
    pytest.param(
        "proposals",
        PROPOSALS + PROPOSALS.splitlines(keepends=True)[1],
        4, "ref", "182", "each ref once in a round: row 2 proposes 182 in round r25 too",
        id="duplicate-round-and-ref",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("FOI on time,snp", "FOI on time,xyz"),
        2, "directorate", "xyz", "the id of a directorate in organisation.toml: snp",
        id="unknown-directorate",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("srp;ahc", "srp;zzz"),
        3, "committees", "zzz", "the id of a committee in organisation.toml: srp, ahc",
        id="unknown-committee",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("2025/26 Q1,6,", "2025/26 Q1,9,"),
        2, "ambitions", "9", "the id of a ambition in organisation.toml: 6",
        id="unknown-ambition",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace(",proposed,", ",approved,"),
        2, "state", "approved", "one of draft, proposed, adopted, deferred, dropped",
        id="bad-proposal-state",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("adopted,srp,2025-01-23", "adopted,,2025-01-23"),
        3, "decided_by", "", "the id of the committee that decided it: the state is adopted",
        id="adopted-without-committee",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("adopted,srp,2025-01-23", "dropped,srp,"),
        3, "decided_on", "", "the date of the meeting that decided it",
        id="dropped-without-date",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace(",proposed,,,", ",proposed,srp,,"),
        2, "decided_by", "srp", "an empty cell: the state is proposed",
        id="decision-on-undecided",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("adopted,srp,", "adopted,cab,"),
        3, "decided_by", "cab", "the id of a committee in organisation.toml",
        id="decided-by-unknown-committee",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("90.0,2025/26 Q1", "90.0,2025/26 Q9"),
        2, "start", "2025/26 Q9", "a period",
        id="start-not-a-period",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("90.0,2025/26 Q1", "90.0,"),
        2, "start", "", "the period the proposed target applies from",
        id="target-without-start",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("90.0,", "\u22129,"),
        2, "target", "\u22129", "look-alike character",
        id="look-alike-minus-in-target",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("FOI on time", "FOI\x00on time"),
        2, "name", "FOI\x00on time", "text without control characters",
        id="control-character",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("Openness", "x" * 10_001),
        2, "rationale", "x" * 10_001, "text of at most 10,000 characters",
        id="text-too-long",
    ),
    pytest.param(
        "comments",
        COMMENTS.replace("r25,182,srp", "r25,999,srp"),
        2, "ref", "999", "a proposal of round r25 in proposals/proposals.csv: 182, SKPI-1",
        id="comment-on-unknown-proposal",
    ),
    pytest.param(
        "comments",
        COMMENTS.replace("r25,182,srp", "r24,182,srp"),
        2, "round", "r24", "the id of a round in proposals/rounds.csv: r25",
        id="comment-in-unknown-round",
    ),
    pytest.param(
        "comments",
        COMMENTS.replace("SKPI-1,ahc", "SKPI-1,xyz"),
        3, "committee", "xyz", "the id of a committee in organisation.toml",
        id="comment-from-unknown-committee",
    ),
    pytest.param(
        "proposals",
        PROPOSALS.replace("directorate,unit,", "directorate,").replace(",percent,", ","),
        1, "unit", None, "a column named unit: it is required in proposals.csv",
        id="required-column-missing",
    ),
    pytest.param(
        "comments",
        COMMENTS.replace("2024-11-14", "14/11/2024"),
        3, "meeting_date", "14/11/2024", "a date written year-month-day",
        id="meeting-date-not-iso",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("file", "text", "row", "column", "value", "expected"), BAD)
def test_a_mistake_is_named_by_file_row_column_and_value(
    data_folder: DataFolder,
    file: str,
    text: str,
    row: int,
    column: str,
    value: str,
    expected: str,
) -> None:
    folder = _folder(data_folder, **{file: text})
    errors = _errors(folder)
    named = [e for e in errors if e.file == f"proposals/{file}.csv" and e.column == column]
    assert named, errors
    error = named[0]
    assert (error.row, error.value) == (row, value)
    assert expected in error.expected
    assert str(error).startswith(f"proposals/{file}.csv, row {row}, column {column}")


def test_every_mistake_of_every_file_at_once(data_folder: DataFolder) -> None:
    """Nothing is read when anything is wrong, and each file's mistakes are all listed."""
    folder = _folder(
        data_folder,
        rounds=ROUNDS + "r25,Again,,,,\n",
        comments=COMMENTS.replace("SKPI-1,ahc", "SKPI-1,xyz"),
    )
    places = [(e.file, e.row, e.column) for e in _errors(folder)]
    assert places == [
        ("proposals/rounds.csv", 3, "id"),
        ("proposals/comments.csv", 3, "committee"),
    ]


@pytest.mark.parametrize(
    ("cell", "fine"), [("true", True), ("FALSE", True), ("", True), ("yes", False), ("1", False)]
)
def test_x_strategic_is_true_false_or_empty(
    data_folder: DataFolder, default_files: dict[str, str], cell: str, fine: bool
) -> None:
    lines = default_files["indicators"].splitlines()
    lines[0] += ",x_strategic"
    lines[1] += f",{cell}"
    lines[2:] = [line + "," for line in lines[2:]]
    folder = data_folder(indicators="\n".join(lines) + "\n")
    if fine:
        assert read_dataset(folder).indicators[0].strategic is (cell.lower() == "true")
        return
    assert [(e.file, e.row, e.column, e.value, e.expected) for e in _errors(folder)] == [
        ("indicators.csv", 2, "x_strategic", cell, "true, false or an empty cell")
    ]


STRATEGIC = '\n[strategic]\nreport_to = "srp"\n\n[strategic.directorates]\nsnp = "ahc"\n'


def test_the_strategic_table_is_kept_and_readable(data_folder: DataFolder) -> None:
    dataset = read_dataset(data_folder(organisation=ORGANISATION + STRATEGIC))
    settings = strategic_settings(dataset.organisation)
    assert settings.report_to == "srp"
    assert settings.committee_for("snp") == "ahc"
    assert settings.committee_for(None) == "srp"


@pytest.mark.parametrize(
    ("table", "key", "value", "expected"),
    [
        (STRATEGIC.replace('"srp"', '"cab"'), "strategic.report_to", "cab",
         "the id of a committee in [[committees]]: srp, ahc"),
        (STRATEGIC.replace('snp = "ahc"', 'asc = "ahc"'), "strategic.directorates.asc", "asc",
         "the id of a directorate in [[directorates]]: snp"),
        (STRATEGIC.replace('snp = "ahc"', 'snp = "xyz"'), "strategic.directorates.snp", "xyz",
         "the id of a committee in [[committees]]"),
        (STRATEGIC.replace("report_to", "reports_to"), "strategic.reports_to", "srp",
         "only report_to and directorates in [strategic]"),
    ],
)  # fmt: skip
def test_a_wrong_id_in_the_strategic_table_is_named(
    data_folder: DataFolder, table: str, key: str, value: str, expected: str
) -> None:
    errors = _errors(data_folder(organisation=ORGANISATION + table))
    assert [(e.file, e.row, e.column, e.value) for e in errors] == [
        ("organisation.toml", None, key, value)
    ]
    assert expected in errors[0].expected


# -- round trips ---------------------------------------------------------------------------------


def _texts(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "proposals").iterdir())}


def test_the_demo_round_trips_through_a_folder_byte_for_byte(tmp_path: Path) -> None:
    dataset = read_dataset(DEMO)
    write_folder(dataset, tmp_path / "once")
    again = read_dataset(tmp_path / "once")
    assert (again.rounds, again.proposals, again.proposal_comments) == (
        dataset.rounds,
        dataset.proposals,
        dataset.proposal_comments,
    )
    write_folder(again, tmp_path / "twice")
    assert _texts(tmp_path / "once") == _texts(tmp_path / "twice")
    assert set(_texts(tmp_path / "once")) == {"rounds.csv", "proposals.csv", "comments.csv"}


def test_the_demo_round_trips_through_a_workbook(tmp_path: Path) -> None:
    dataset = read_dataset(DEMO)
    write_workbook(dataset, tmp_path / "data.xlsx")
    again = read_dataset(tmp_path / "data.xlsx")
    assert again.rounds == dataset.rounds
    assert again.proposals == dataset.proposals
    assert again.proposal_comments == dataset.proposal_comments


def test_a_folder_written_without_proposals_loses_its_old_files(
    data_folder: DataFolder, tmp_path: Path
) -> None:
    dataset = read_dataset(_folder(data_folder))
    write_folder(dataset, tmp_path / "out")
    write_folder(replace(dataset, rounds=(), proposals=(), proposal_comments=()), tmp_path / "out")
    assert list((tmp_path / "out" / "proposals").iterdir()) == []
    assert read_dataset(tmp_path / "out").rounds == ()


_TEXT = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs"))
        | st.sampled_from(" ,;\"'=+-@\n£é"),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
_ID = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=8).filter(
    lambda s: s[0].isalnum()
)
_PERIOD = st.builds(Period.quarter, st.integers(2000, 2030), st.integers(1, 4)) | st.builds(
    Period.month, st.integers(2000, 2030), st.integers(1, 12)
)
_DAY = st.dates(date(2000, 1, 1), date(2030, 12, 31))


@st.composite
def _with_proposals(draw: st.DrawFn) -> Dataset:
    base = read_dataset_once()
    committees = [c.id for c in base.organisation.committees]
    rounds = draw(
        st.lists(
            st.builds(
                ProposalRound,
                _ID,
                _TEXT,
                st.sampled_from(RoundState),
                st.none() | _PERIOD,
                st.none(),
                st.none(),
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda r: r.id,
        )
    )
    proposals = []
    for number in range(draw(st.integers(0, 4))):
        state = draw(st.sampled_from(ProposalState))
        target = draw(st.none() | st.decimals(-1000, 1000, places=2, allow_nan=False))
        proposals.append(
            Proposal(
                round=draw(st.sampled_from(rounds)).id,
                ref=f"P{number}",
                name=draw(_TEXT),
                directorate="snp",
                unit=draw(st.sampled_from(Unit)),
                direction=draw(st.sampled_from(Direction)),
                frequency=draw(st.sampled_from(Frequency)),
                committees=tuple(draw(st.lists(st.sampled_from(committees), min_size=1))),
                description=draw(st.just("") | _TEXT),
                rationale=draw(st.just("") | _TEXT),
                owner=draw(st.just("") | st.just("a.b@example.gov.uk")),
                decimals=draw(st.integers(0, 10)),
                target=target,
                start=draw(_PERIOD) if target is not None else draw(st.none() | _PERIOD),
                ambitions=tuple(draw(st.lists(st.just("6"), max_size=1))),
                national_definition=draw(st.booleans()),
                state=state,
                decided_by=draw(st.sampled_from(committees)) if state.decided else "",
                decided_on=draw(_DAY) if state.decided else None,
                amendment=draw(st.just("") | _TEXT),
                amendment_reason=draw(st.just("") | _TEXT),
            )
        )
    comments = [
        ProposalComment(
            p.round,
            p.ref,
            draw(st.sampled_from(committees)),
            draw(_DAY),
            draw(_TEXT),
            draw(st.just("") | _TEXT),
        )
        for p in proposals
        if draw(st.booleans())
    ]
    return replace(
        base, rounds=tuple(rounds), proposals=tuple(proposals), proposal_comments=tuple(comments)
    )


_BASE: list[Dataset] = []


def read_dataset_once() -> Dataset:
    """The default folder of conftest.py, read once for every example."""
    if not _BASE:
        from datafiles.conftest import DEFAULT_FILES, write_folder_files

        with TemporaryDirectory() as folder:
            _BASE.append(read_dataset(write_folder_files(Path(folder), dict(DEFAULT_FILES))))
    return _BASE[0]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_with_proposals())
def test_any_rounds_proposals_and_comments_survive_a_folder_round_trip(dataset: Dataset) -> None:
    with TemporaryDirectory() as folder:
        write_folder(dataset, folder)
        again = read_dataset(folder)
    assert again.rounds == dataset.rounds
    assert again.proposals == dataset.proposals
    assert again.proposal_comments == dataset.proposal_comments
    # Decimal equality is by value: the digits written are kept too ("90.0" stays "90.0").
    assert [str(p.target) for p in again.proposals] == [str(p.target) for p in dataset.proposals]


def test_a_narrative_may_be_a_strategic_scorecards(data_folder: DataFolder) -> None:
    """reports/ documents name the strategic scorecards' scopes: strategic, strategic-<id>."""
    folder = data_folder()
    (folder / "reports").mkdir()
    for scope in ("strategic", "strategic-snp"):
        (folder / "reports" / f"{scope}.md").write_text(
            f'+++\nscope = "{scope}"\nperiod = "2024/25 Q2"\n+++\n\n## Main issues\n\nNews.\n',
            encoding="utf-8",
        )
    dataset = read_dataset(folder)
    assert dataset.narrative("strategic", Period.quarter(2024, 2)) is not None
    assert dataset.narrative("strategic-snp", Period.quarter(2024, 2)) is not None
    (folder / "reports" / "bad.md").write_text(
        '+++\nscope = "strategic-xyz"\nperiod = "2024/25 Q3"\n+++\n', encoding="utf-8"
    )
    assert [(e.file, e.value) for e in _errors(folder)] == [
        ("reports/bad.md, line 2", "strategic-xyz")
    ]
