"""The data folder's optional ``proposals/`` folder (docs/proposals.md): rounds of proposed
strategic indicators, the proposals, and the committees' comments on them.

``proposals/rounds.csv``, ``proposals/proposals.csv`` and ``proposals/comments.csv`` follow the
rules of the other files (formats.md): headers in any case, ``x_`` columns accepted and dropped,
UTF-8, each cell checked against its column by the same engine
(:func:`~kpiboard.datafiles.tables.check_table`: text limits, control characters, numbers,
dates, choices). Then each row is checked against the organisation and the other files, in
Python (a council has tens of proposals, not millions):

- rounds.csv: an id used twice; a ``circulate_in`` that is not a period; closed before opened;
- proposals.csv: an unknown round; the same ref twice in a round; an unknown directorate,
  committee or ambition; a ``start`` that is not a period; a target without a start; a decided
  state (adopted, deferred, dropped) without ``decided_by`` and ``decided_on``, or either of
  them on a proposal not decided; ``decided_by`` not a committee;
- comments.csv: an unknown round, a comment on a proposal the round does not hold, an unknown
  committee.

An empty ``state`` is ``open`` for a round and ``draft`` for a proposal; an empty ``decimals``
is 1. :func:`proposal_tables` gives the rows the writer writes, so that reading them back
gives equal rounds, proposals and comments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from kpiboard.analysis.model import Dataset, Direction, Organisation, Unit
from kpiboard.analysis.periods import Frequency, Period, PeriodError, parse_period
from kpiboard.analysis.proposals import (
    Proposal,
    ProposalComment,
    ProposalRound,
    ProposalState,
    RoundState,
)
from kpiboard.datafiles.errors import DataError
from kpiboard.datafiles.refs import REF_EXPECTED, REF_PATTERN, RESERVED_REFS
from kpiboard.datafiles.schema import (
    COMMENTARY_LENGTH,
    DESCRIPTION_LENGTH,
    INDICATORS,
    Column,
    Kind,
    TableSpec,
)
from kpiboard.datafiles.tables import RawTable, Table, check_table

__all__ = [
    "COMMENTS",
    "PROPOSALS",
    "PROPOSALS_FOLDER",
    "PROPOSAL_SPECS",
    "ROUNDS",
    "STRATEGIC_COLUMN",
    "check_strategic_column",
    "proposal_file",
    "proposal_tables",
    "read_proposals",
]

PROPOSALS_FOLDER = "proposals"

_TEXT = DESCRIPTION_LENGTH
_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$"
_ID_EXPECTED = (
    "an id of letters, digits, dots, hyphens and underscores, starting with a letter or digit, "
    "such as skpi-2025-26"
)


def _choices(values: Sequence[Any]) -> tuple[str, ...]:
    return tuple(str(value.value) for value in values)


ROUNDS = TableSpec(
    "rounds",
    (
        Column("id", required=True, pattern=_ID_PATTERN, pattern_expected=_ID_EXPECTED),
        Column("name", required=True),
        Column("state", Kind.CHOICE, choices=_choices(list(RoundState))),
        Column("circulate_in", Kind.PERIOD),
        Column("opened_on", Kind.DATE),
        Column("closed_on", Kind.DATE),
    ),
)

PROPOSALS = TableSpec(
    "proposals",
    (
        Column("round", required=True, max_length=50),
        Column(
            "ref",
            required=True,
            pattern=REF_PATTERN,
            pattern_expected=REF_EXPECTED,
            reserved=RESERVED_REFS,
        ),
        Column("name", required=True),
        Column("directorate", required=True, max_length=50),
        INDICATORS.column("unit"),
        INDICATORS.column("direction"),
        INDICATORS.column("frequency"),
        INDICATORS.column("committees"),
        Column("description", max_length=_TEXT),
        Column("rationale", max_length=_TEXT),
        INDICATORS.column("owner"),
        INDICATORS.column("decimals"),
        Column("target", Kind.NUMBER),
        Column("start", Kind.PERIOD),
        INDICATORS.column("ambitions"),
        INDICATORS.column("national_definition"),
        Column("state", Kind.CHOICE, choices=_choices(list(ProposalState))),
        Column("decided_by", max_length=50),
        Column("decided_on", Kind.DATE),
        Column("amendment", max_length=_TEXT),
        Column("amendment_reason", max_length=_TEXT),
    ),
)

COMMENTS = TableSpec(
    "comments",
    (
        Column("round", required=True, max_length=50),
        Column("ref", required=True, max_length=20),
        Column("committee", required=True, max_length=50),
        Column("meeting_date", Kind.DATE, required=True),
        Column("comment", required=True, max_length=COMMENTARY_LENGTH),
        Column("response", max_length=COMMENTARY_LENGTH),
    ),
)

PROPOSAL_SPECS = (ROUNDS, PROPOSALS, COMMENTS)
"""The files of proposals/, in the order they are checked, reported and written."""


def proposal_file(spec: TableSpec) -> str:
    """The name errors give a file: ``proposals/rounds.csv``."""
    return f"{PROPOSALS_FOLDER}/{spec.filename}"


Row = dict[str, Any]


def _rows(raw: RawTable | None, spec: TableSpec, errors: list[DataError]) -> list[Row]:
    """The file's rows, cells checked (an absent file: none); ``_bad`` marks a row with a cell
    in error, which is checked against the others but not built."""
    if raw is None:
        return []
    before = len(errors)
    table = check_table(raw, spec, errors)
    bad = {e.row for e in errors[before:] if e.file == raw.file}
    header_wrong = 1 in bad  # a required column missing: every row lacks it
    return [
        {**row, "_bad": header_wrong or row["_row"] in bad}
        for row in table.frame.iter_rows(named=True)
    ]


def read_proposals(
    tables: Mapping[str, RawTable | None],
    organisation: Organisation,
    errors: list[DataError],
) -> tuple[tuple[ProposalRound, ...], tuple[Proposal, ...], tuple[ProposalComment, ...]]:
    """The rounds, proposals and comments of the proposals/ files (by spec name), each checked
    against the organisation and the others; what is wrong goes to ``errors``."""
    found = len(errors)
    ysm = organisation.settings.year_start_month
    rounds = _rounds(_rows(tables.get("rounds"), ROUNDS, errors), ysm, errors)
    rows = _rows(tables.get("proposals"), PROPOSALS, errors)
    proposals = _proposals(rows, organisation, rounds, errors)
    proposed = {(row["round"], row["ref"]) for row in rows}  # with those in error
    comments = _comments(
        _rows(tables.get("comments"), COMMENTS, errors), organisation, rounds, proposed, errors
    )
    if len(errors) > found:
        return (), (), ()
    return tuple(rounds.values()), tuple(proposals.values()), tuple(comments)


def _period(
    row: Row,
    column: str,
    file: str,
    frequency: Frequency | None,
    ysm: int,
    errors: list[DataError],
) -> Period | None:
    """A period cell read as itself (a date at ``frequency``); None, with an error, if not one."""
    text = row[column]
    if text is None or not text.strip():
        return None
    text = text.strip()
    dated = len(text) == 10 and text[4] == "-" and text[7] == "-"
    try:
        return parse_period(text, frequency if dated else None, ysm)
    except PeriodError as error:
        errors.append(DataError(file, row["_row"], column, text, f"a period: {error}"))
    return None


def _rounds(rows: list[Row], ysm: int, errors: list[DataError]) -> dict[str, ProposalRound]:
    file = proposal_file(ROUNDS)
    rounds: dict[str, ProposalRound] = {}
    first: dict[str, int] = {}
    for row in rows:
        number, id_ = row["_row"], row["id"]
        if id_ in first:
            errors.append(
                DataError(
                    file, number, "id", id_, f"a round id not used before: row {first[id_]} has it"
                )
            )
            continue
        if id_ is not None:
            first[id_] = number
        opened, closed = row["opened_on#d"], row["closed_on#d"]
        if opened is not None and closed is not None and closed < opened:
            errors.append(
                DataError(
                    file,
                    number,
                    "closed_on",
                    row["closed_on"],
                    f"a date on or after the round was opened ({opened.isoformat()})",
                )
            )
        circulate_in = _period(row, "circulate_in", file, None, ysm, errors)
        if id_ is None or row["name"] is None or row["_bad"]:
            continue
        rounds[id_] = ProposalRound(
            id=id_,
            name=row["name"],
            state=RoundState(row["state"] or RoundState.OPEN.value),
            circulate_in=circulate_in,
            opened_on=opened,
            closed_on=closed,
        )
    return rounds


def _ids(cell: str | None) -> tuple[str, ...]:
    if cell is None:
        return ()
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _unknown(
    file: str, number: int, column: str, value: str, kind: str, known: Sequence[str]
) -> DataError:
    listed = ", ".join(known) if known else f"none: organisation.toml names no {kind}"
    return DataError(
        file, number, column, value, f"the id of a {kind} in organisation.toml: {listed}"
    )


def _unknown_round(
    file: str, number: int, round_id: str, rounds: Mapping[str, ProposalRound]
) -> DataError:
    return DataError(
        file,
        number,
        "round",
        round_id,
        "the id of a round in proposals/rounds.csv: " + (", ".join(rounds) or "that file has none"),
    )


def _proposals(
    rows: list[Row],
    organisation: Organisation,
    rounds: Mapping[str, ProposalRound],
    errors: list[DataError],
) -> dict[tuple[str, str], Proposal]:
    file = proposal_file(PROPOSALS)
    ysm = organisation.settings.year_start_month
    committees = [c.id for c in organisation.committees]
    directorates = [d.id for d in organisation.directorates]
    ambitions = [a.id for a in organisation.ambitions]
    proposals: dict[tuple[str, str], Proposal] = {}
    first: dict[tuple[str, str], int] = {}
    for row in rows:
        number = row["_row"]
        before = len(errors)
        round_id, ref = row["round"], row["ref"]
        if round_id is not None and round_id not in rounds:
            errors.append(_unknown_round(file, number, round_id, rounds))
        key = (round_id, ref)
        if key in first:
            errors.append(
                DataError(
                    file,
                    number,
                    "ref",
                    ref,
                    f"each ref once in a round: row {first[key]} proposes {ref} in round "
                    f"{round_id} too",
                )
            )
        elif round_id is not None and ref is not None:
            first[key] = number
        directorate = row["directorate"]
        if directorate is not None and directorate not in directorates:
            errors.append(
                _unknown(file, number, "directorate", directorate, "directorate", directorates)
            )
        for column, known, kind in (
            ("committees", committees, "committee"),
            ("ambitions", ambitions, "ambition"),
        ):
            errors += [
                _unknown(file, number, column, part, kind, known)
                for part in _ids(row[column])
                if part not in known
            ]
        frequency = Frequency(row["frequency"]) if _is(row["frequency"], Frequency) else None
        start = _period(row, "start", file, frequency, ysm, errors)
        if row["target"] is not None and row["start"] is None:
            errors.append(
                DataError(
                    file,
                    number,
                    "start",
                    "",
                    "the period the proposed target applies from, such as 2025/26 Q1",
                )
            )
        states = {s.value for s in ProposalState}
        if (row["state"] or ProposalState.DRAFT.value) not in states:
            continue  # its cell's error is told; whether a decision belongs there is not known
        state = ProposalState(row["state"] or ProposalState.DRAFT.value)
        _decision_checks(row, state, committees, file, errors)
        if len(errors) > before or row["_bad"]:
            continue
        proposals[key] = Proposal(
            round=round_id,
            ref=ref,
            name=row["name"],
            directorate=directorate,
            unit=Unit(row["unit"]),
            direction=Direction(row["direction"]),
            frequency=Frequency(row["frequency"]),
            committees=_ids(row["committees"]),
            description=row["description"] or "",
            rationale=row["rationale"] or "",
            owner=row["owner"] or "",
            decimals=row["decimals#i"] if row["decimals#i"] is not None else 1,
            target=Decimal(row["target"].strip()) if row["target"] is not None else None,
            start=start,
            ambitions=_ids(row["ambitions"]),
            national_definition=bool(row["national_definition#b"]),
            state=state,
            decided_by=row["decided_by"] or "",
            decided_on=row["decided_on#d"],
            amendment=row["amendment"] or "",
            amendment_reason=row["amendment_reason"] or "",
        )
    return proposals


def _is(value: str | None, enum: type[Frequency]) -> bool:
    return value is not None and value in {member.value for member in enum}


def _decision_checks(
    row: Row, state: ProposalState, committees: list[str], file: str, errors: list[DataError]
) -> None:
    """A decided proposal names the committee and the date; one not decided names neither."""
    number = row["_row"]
    decided_by, decided_on = row["decided_by"], row["decided_on"]
    if state.decided:
        for column, value, what in (
            ("decided_by", decided_by, "the id of the committee that decided it"),
            (
                "decided_on",
                decided_on,
                "the date of the meeting that decided it, such as 2025-01-23",
            ),
        ):
            if value is None:
                errors.append(
                    DataError(file, number, column, "", f"{what}: the state is {state.value}")
                )
    else:
        for column, value in (("decided_by", decided_by), ("decided_on", decided_on)):
            if value is not None:
                errors.append(
                    DataError(
                        file,
                        number,
                        column,
                        value,
                        f"an empty cell: the state is {state.value}, not adopted, deferred or "
                        "dropped",
                    )
                )
    if decided_by is not None and decided_by not in committees:
        errors.append(_unknown(file, number, "decided_by", decided_by, "committee", committees))


def _comments(
    rows: list[Row],
    organisation: Organisation,
    rounds: Mapping[str, ProposalRound],
    proposed: set[tuple[str, str]],
    errors: list[DataError],
) -> list[ProposalComment]:
    file = proposal_file(COMMENTS)
    committees = [c.id for c in organisation.committees]
    comments = []
    for row in rows:
        number = row["_row"]
        before = len(errors)
        round_id, ref, committee = row["round"], row["ref"], row["committee"]
        if round_id is not None and round_id not in rounds:
            errors.append(_unknown_round(file, number, round_id, rounds))
        elif round_id is not None and ref is not None and (round_id, ref) not in proposed:
            refs = sorted(r for (r_id, r) in proposed if r_id == round_id and r is not None)
            errors.append(
                DataError(
                    file,
                    number,
                    "ref",
                    ref,
                    f"the ref of a proposal of round {round_id} in proposals/proposals.csv: "
                    + (", ".join(refs) if refs else "it has none"),
                )
            )
        if committee is not None and committee not in committees:
            errors.append(_unknown(file, number, "committee", committee, "committee", committees))
        if len(errors) > before or row["_bad"]:
            continue
        comments.append(
            ProposalComment(
                round=round_id,
                ref=ref,
                committee=committee,
                meeting_date=row["meeting_date#d"],
                comment=row["comment"],
                response=row["response"] or "",
            )
        )
    return comments


# -- x_strategic --------------------------------------------------------------------------------
STRATEGIC_COLUMN = "x_strategic"


def check_strategic_column(table: Table, errors: list[DataError]) -> None:
    """indicators.csv's ``x_strategic`` (the strategic KPIs): empty, true or false, in any case."""
    if STRATEGIC_COLUMN not in table.extra:
        return
    errors += [
        DataError(table.file, number, STRATEGIC_COLUMN, cell, "true, false or an empty cell")
        for number, cell in table.frame.select("_row", STRATEGIC_COLUMN).iter_rows()
        if cell is not None and cell.strip().lower() not in {"", "true", "false"}
    ]


# -- writing ------------------------------------------------------------------------------------
Cell = str | Decimal | bool | int | None


def _date(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _period_text(period: Period | None) -> str | None:
    return str(period) if period is not None else None


def proposal_tables(dataset: Dataset) -> list[tuple[TableSpec, list[str], list[list[Cell]]]]:
    """Each proposals/ file with rows: its spec, header and rows of typed cells (none at all
    when the dataset has no rounds, proposals or comments)."""
    rounds: list[list[Cell]] = [
        [
            r.id,
            r.name,
            r.state.value,
            _period_text(r.circulate_in),
            _date(r.opened_on),
            _date(r.closed_on),
        ]
        for r in dataset.rounds
    ]
    proposals: list[list[Cell]] = [
        [
            p.round,
            p.ref,
            p.name,
            p.directorate,
            p.unit.value,
            p.direction.value,
            p.frequency.value,
            ";".join(p.committees),
            p.description or None,
            p.rationale or None,
            p.owner or None,
            p.decimals,
            p.target,
            _period_text(p.start),
            ";".join(p.ambitions) or None,
            p.national_definition,
            p.state.value,
            p.decided_by or None,
            _date(p.decided_on),
            p.amendment or None,
            p.amendment_reason or None,
        ]
        for p in dataset.proposals
    ]
    comments: list[list[Cell]] = [
        [c.round, c.ref, c.committee, c.meeting_date.isoformat(), c.comment, c.response or None]
        for c in dataset.proposal_comments
    ]
    return [
        (spec, list(spec.column_names), rows)
        for spec, rows in ((ROUNDS, rounds), (PROPOSALS, proposals), (COMMENTS, comments))
        if rows
    ]
