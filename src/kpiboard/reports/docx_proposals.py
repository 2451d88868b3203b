"""Appendix 2 of the Word document: the proposed strategic indicators circulated for comment
(:mod:`kpiboard.reports.proposals`), in the same headings and tables as the other formats.

The appendix is a Heading 1 on a page of its own, each proposal a Heading 2 with its rows as a
two-column table (a header row, so a screen reader names the columns) and its comments under a
Heading 3, as a table whose first row repeats at the top of each page.
"""

from __future__ import annotations

from typing import Any, Protocol

from docx.text.paragraph import Paragraph as WordParagraph

from kpiboard.analysis.status import Status
from kpiboard.reports.docx_pagination import compact
from kpiboard.reports.proposals import COMMENT_HEADINGS, NO_COMMENTS, ProposalAppendix

__all__ = ["write_proposals"]

TableCell = tuple[str, Status | None]


class _Writer(Protocol):
    def heading(self, text: str, level: int) -> WordParagraph: ...

    def text(self, text: str = "", style: str | None = None) -> WordParagraph: ...

    def table(self, caption: str, weights: list[int], rows: list[list[TableCell]]) -> Any: ...


def write_proposals(writer: _Writer, appendix: ProposalAppendix) -> None:
    """The appendix at the end of the document."""
    heading = writer.heading(appendix.title, 1)
    heading.paragraph_format.page_break_before = True
    writer.text(appendix.introduction)
    for entry in appendix.entries:
        writer.heading(entry.title, 2)
        fact_rows: list[list[TableCell]] = [[("Item", None), ("Proposal", None)]]
        fact_rows += [[(label, None), (value, None)] for label, value in entry.rows]
        facts = writer.table(entry.caption, [2, 5], fact_rows)
        compact(facts)
        writer.heading("Comments", 3)
        if not entry.comments:
            writer.text(NO_COMMENTS)
            continue
        rows: list[list[TableCell]] = [[(heading, None) for heading in COMMENT_HEADINGS]]
        rows += [[(cell, None) for cell in row.cells] for row in entry.comments]
        compact(writer.table(entry.comments_caption, [3, 2, 5, 5], rows))
