"""The officer's narrative: a Markdown document per report in the data folder's ``reports/``
folder (docs/narrative.md).

A document opens with TOML between two ``+++`` lines naming the report it belongs to and, if
wanted, lines of its cover and the indicators it highlights; then the officer's Markdown under
level-2 headings that say where it goes::

    +++
    scope = "srp"
    period = "2024/25 Q2"
    highlights = ["190", "214"]
    purpose_heading = "Creating a greener, fairer and more caring Cambridgeshire"
    +++

    ## Main issues

    Following the approval of the refreshed Performance Management Framework ...

``## Purpose``, ``## Background``, ``## Main issues`` (before the status table), ``## Main issues
after the table`` and ``## Conclusion`` add to those sections; any other heading is a section of
its own, numbered after the conclusion. Each paragraph is numbered as the report's own are.

>>> errors: list[DataError] = []
>>> text = '+++\\nscope = "srp"\\nperiod = "Q2 2024-25"\\n+++\\n\\n## Main issues\\n\\nNews.\\n'
>>> narrative = parse_narrative(text, "reports/a.md", Context(frozenset({"srp"})), errors)
>>> narrative.scope, str(narrative.period), dict(narrative.places), errors
('srp', '2024/25 Q2', {'main_issues': 'News.'}, [])
>>> narrative_file_name(narrative)
'srp-2024-25-q2.md'
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kpiboard.analysis.model import Narrative
from kpiboard.analysis.periods import PeriodError, parse_period
from kpiboard.datafiles import toml_text
from kpiboard.datafiles.errors import DataError

__all__ = [
    "COVER_KEYS",
    "FRONT_MATTER_KEYS",
    "PLACES",
    "REPORTS_FOLDER",
    "Context",
    "check_unique",
    "narrative_file_name",
    "narrative_template",
    "parse_narrative",
]

REPORTS_FOLDER = "reports"
FENCE = "+++"

#: Where a heading's Markdown goes, by the heading in lower case without punctuation.
PLACES = {
    "purpose": "purpose",
    "background": "background",
    "main issues": "main_issues",
    "main issues after the table": "after_table",
    "conclusion": "conclusion",
    "conclusion and recommendations": "conclusion",
}

#: The lines of a report's cover, in its order: the keys of organisation.toml's
#: ``[report.<id>]`` tables, of a narrative's front matter, and of the web's front-matter form.
FRONT_MATTER_KEYS = (
    "to",
    "meeting_date",
    "from",
    "electoral_divisions",
    "key_decision",
    "forward_plan_ref",
    "executive_summary",
    "recommendation",
    "officer_name",
    "officer_post",
    "officer_email",
)
#: A narrative's front-matter keys beside scope, period and highlights: the cover's lines (over
#: those of organisation.toml for this report) and the headings and paragraphs a council words
#: its own way.
COVER_KEYS = ("title", *FRONT_MATTER_KEYS, "purpose_heading", "implications")


@dataclass(frozen=True, slots=True)
class Context:
    """What a document is checked against: the report scopes and indicator refs that exist
    (refs None: not checked), and the organisation's first month of the year."""

    scopes: frozenset[str]
    refs: frozenset[str] | None = None
    year_start_month: int = 4


def parse_narrative(
    text: str, file: str, context: Context, errors: list[DataError]
) -> Narrative | None:
    """The narrative in ``text`` (the file ``file``), or None with the reasons added to
    ``errors``, each naming the file and line."""
    found: list[DataError] = []
    lines = text.splitlines()

    def error(line: int | None, value: str | None, expected: str) -> None:
        where = file if line is None else f"{file}, line {line}"
        found.append(DataError(where, None, None, value, expected))

    if not lines or lines[0].strip() != FENCE:
        error(1, lines[0] if lines else "", f'a first line "{FENCE}" opening the TOML front matter')
        errors += found
        return None
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        error(None, None, f'a line "{FENCE}" closing the front matter opened on line 1')
        errors += found
        return None
    try:
        front = toml_text.loads("\n".join(lines[1:close]), parse_float=float)
    except tomllib.TOMLDecodeError as problem:
        error(None, None, f"valid TOML between the {FENCE} lines (the TOML reader says: {problem})")
        errors += found
        return None

    line_of = {key: _key_line(lines, 1, close, key) for key in front}
    scope = front.get("scope")
    if not isinstance(scope, str) or scope not in context.scopes:
        shown = None if scope is None else str(scope)
        error(
            line_of.get("scope", 2) if scope is not None else None,
            shown,
            "scope = the report's scope: organisation, or the id of a committee or directorate "
            f"({', '.join(sorted(context.scopes))})",
        )
    period = None
    raw_period = front.get("period")
    try:
        period = parse_period(str(raw_period), year_start_month=context.year_start_month)
    except PeriodError:
        error(
            line_of.get("period"),
            None if raw_period is None else str(raw_period),
            'period = the report\'s period, such as "2024/25 Q2"',
        )
    highlights = _highlights(front.get("highlights"), context, line_of.get("highlights"), error)
    cover: dict[str, str] = {}
    for key, value in front.items():
        if key in ("scope", "period", "highlights"):
            continue
        if key not in COVER_KEYS:
            error(
                line_of[key],
                key,
                f"one of scope, period, highlights, {', '.join(COVER_KEYS)}",
            )
        elif isinstance(value, date):
            cover[key] = value.isoformat()
        elif isinstance(value, str):
            cover[key] = value
        else:
            error(line_of[key], str(value), f"{key} as text in quotes")
    places, sections = _body(lines, close + 1, error)
    errors += found
    if found or period is None or not isinstance(scope, str):
        return None
    return Narrative(scope, period, text, cover, highlights, places, tuple(sections))


def _key_line(lines: list[str], first: int, stop: int, key: str) -> int:
    """The line number (1-based) a front-matter key is set on."""
    pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
    for index in range(first, stop):
        if pattern.match(lines[index]):
            return index + 1
    return first + 1


def _highlights(
    value: Any, context: Context, line: int | None, error: Any
) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        error(line, str(value), 'highlights = a list of indicator refs, such as ["190", "214"]')
        return None
    refs = tuple(str(v) for v in value)
    if context.refs is not None:
        unknown = [ref for ref in refs if ref not in context.refs]
        if unknown:
            error(line, ", ".join(unknown), "refs of indicators in indicators.csv")
    if len(set(refs)) != len(refs):
        error(line, str(value), "each indicator once in highlights")
    return refs


def _body(lines: list[str], start: int, error: Any) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The Markdown under each ``## `` heading, by place; other headings as sections."""
    places: dict[str, str] = {}
    sections: list[tuple[str, str]] = []
    heading: tuple[str, int] | None = None
    chunk: list[str] = []
    fenced = False
    seen: dict[str, int] = {}

    def finish() -> None:
        if heading is None:
            return
        name, line = heading
        markdown = "\n".join(chunk).strip("\n")
        key = PLACES.get(_normalised(name))
        label = key or _normalised(name)
        if label in seen:
            error(line, name, f"each heading once (line {seen[label]} has it already)")
            return
        seen[label] = line
        if key is not None:
            places[key] = markdown
        else:
            sections.append((name, markdown))

    for index in range(start, len(lines)):
        line = lines[index]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            finish()
            heading, chunk = (line[3:].strip(), index + 1), []
        elif heading is None:
            if line.strip():
                error(
                    index + 1,
                    line.strip(),
                    'a "## " heading first, naming where the text goes (such as "## Main issues")',
                )
                return places, sections
        else:
            chunk.append(line)
    finish()
    return places, sections


def _normalised(heading: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", heading.lower()).split())


def narrative_file_name(narrative: Narrative) -> str:
    """The name an export gives a narrative's file: scope and period, in lower case."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{narrative.scope} {narrative.period}".lower())
    return slug.strip("-") + ".md"


def narrative_template(scope: str, period: str, cover: Mapping[str, str] | None = None) -> str:
    """A new document for a report: its front matter and the usual headings, empty.

    >>> print(narrative_template("srp", "2024/25 Q3"))  # doctest: +ELLIPSIS
    +++
    scope = "srp"
    period = "2024/25 Q3"
    +++
    <BLANKLINE>
    ## Main issues
    ...
    """
    head = [FENCE, f'scope = "{scope}"', f'period = "{period}"']
    head += [f"{key} = {_toml_string(value)}" for key, value in (cover or {}).items()]
    head.append(FENCE)
    body = ["", "## Main issues", "", "", "## Conclusion", ""]
    return "\n".join(head + body)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def check_unique(narratives: Iterable[tuple[str, Narrative]], errors: list[DataError]) -> None:
    """One document per report: a second for the same scope and period is an error."""
    first: dict[tuple[str, object], str] = {}
    for file, narrative in narratives:
        key = (narrative.scope, narrative.period)
        if key in first:
            errors.append(
                DataError(
                    file,
                    None,
                    None,
                    f"{narrative.scope} {narrative.period}",
                    f"one document per report ({first[key]} is for the same report)",
                )
            )
        else:
            first[key] = file
