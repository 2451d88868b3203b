"""The workbook's sheets of the proposed strategic indicators circulated for comment
(:mod:`kpiboard.reports.proposals`): **Proposals**, one row per proposal with every row the
appendix shows, and **Proposal comments**, one row per comment (left out when there are none).

Each is a sheet of one table: header frozen, filtered and repeated on every printed page, like
the Dashboard. Every cell is written as text by the workbook's own ``_Sheet``, which never
makes a formula of text such as ``=HYPERLINK(...)`` (the workbook is opened with
``strings_to_formulas`` off and text goes through ``write_string``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kpiboard.reports.proposals import COMMENT_HEADINGS, ProposalAppendix

__all__ = ["write_proposal_sheets"]


class _Sheet(Protocol):
    worksheet: Any

    def header(
        self, headings: list[str], widths: list[int] | None = None, *, repeat: bool = True
    ) -> None: ...

    def write(self, values: list[Any], number_format: str = "General") -> None: ...

    def filter(self, first_row: int, columns: int) -> None: ...


_WIDE = 48
_NARROW = 16


def _columns(appendix: ProposalAppendix) -> list[str]:
    """Every row label of every proposal, in the order first shown (a decision's rows only
    where some proposal has them)."""
    found: dict[str, None] = {}
    for entry in appendix.entries:
        for label, _ in entry.rows:
            found.setdefault(label, None)
    return list(found)


def write_proposal_sheets(make: Callable[[str], _Sheet], appendix: ProposalAppendix) -> None:
    """The sheets, each made by ``make(name)``."""
    labels = _columns(appendix)
    headings = ["Ref", "Proposed indicator", *labels]
    widths = [12, 36, *(_WIDE if _long(label) else _NARROW + 8 for label in labels)]
    sheet = make("Proposals")
    _table(
        sheet,
        headings,
        widths,
        [
            [entry.ref, entry.name, *(dict(entry.rows).get(label, "") for label in labels)]
            for entry in appendix.entries
        ],
    )
    comments = [[entry.ref, *row.cells] for entry in appendix.entries for row in entry.comments]
    if comments:
        _table(
            make("Proposal comments"),
            ["Ref", *COMMENT_HEADINGS],
            [12, 30, 18, _WIDE, _WIDE],
            comments,
        )


def _long(label: str) -> bool:
    return label in {"Definition", "Why it is proposed", "Ambitions served", "Amendment"} or (
        label.startswith("Reason")
    )


def _table(
    sheet: _Sheet, headings: list[str], widths: list[int], rows: Sequence[list[Any]]
) -> None:
    sheet.header(headings, widths)
    sheet.worksheet.freeze_panes(1, 0)
    for row in rows:
        sheet.write(row)
    sheet.filter(0, len(headings))
