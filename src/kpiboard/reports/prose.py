"""The officer's own words in a report, and the indicators its text highlights.

A narrative's Markdown (:class:`~kpiboard.analysis.model.Narrative`) becomes :class:`Prose`
blocks: each paragraph numbered as the report's own paragraphs are (3.1, 3.2), and each list,
quotation or table kept with the paragraph before it, unnumbered.

>>> [(p.markdown, p.numbered) for p in prose_blocks("First **point**.\\n\\n- a\\n- b\\n\\nLast.")]
[('First **point**.', True), ('- a\\n- b', False), ('Last.', True)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult
from kpiboard.analysis.status import Status
from kpiboard.analysis.transitions import Transition

__all__ = ["Prose", "highlighted", "prose_blocks"]


@dataclass(frozen=True, slots=True)
class Prose:
    """Officer's Markdown, rendered sanitised: a paragraph (``numbered``, and its ``number``
    once the section is numbered) or a list, quotation or code kept with the paragraph above."""

    markdown: str
    numbered: bool = True
    number: str = ""
    kind: str = "prose"


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def prose_blocks(markdown: str) -> list[Prose]:
    """The top-level blocks of ``markdown`` as written, paragraphs numbered."""
    lines = markdown.splitlines()
    blocks = []
    for token in _parser().parse(markdown):
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        start, end = token.map
        source = "\n".join(lines[start:end]).strip("\n")
        if source.strip():
            blocks.append(Prose(source, numbered=token.type == "paragraph_open"))
    return blocks


GOOD = (Status.GREEN, Status.BLUE)


def highlighted(evaluation: Evaluation, chosen: Sequence[str] | None) -> list[IndicatorResult]:
    """The Green and Blue indicators the report's text highlights.

    ``chosen`` names them in order (the narrative's ``highlights``; one not Green or Blue now is
    left out); by default they are, in report order, those whose status improved to Green or
    Blue, and every Blue.
    """
    results = evaluation.indicators
    if chosen is not None:
        by_ref = {r.ref: r for r in results if r.status in GOOD}
        return [by_ref[ref] for ref in chosen if ref in by_ref]
    improved = set(evaluation.transitions.members(Transition.IMPROVED))
    return [
        r
        for r in results
        if r.status is Status.BLUE or (r.status is Status.GREEN and r.ref in improved)
    ]
