"""The report model: one committee report, written once, rendered to HTML, PDF, Word and Excel.

:func:`build_report` turns an :class:`~kpiboard.analysis.evaluate.Evaluation` into a
:class:`Report`: front matter, numbered sections made of a few kinds of block, and an appendix card
per indicator. Every count, percentage and list in the text is read from the evaluation, the same
object the tables are drawn from, so the text cannot contradict the tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult
from kpiboard.analysis.model import Narrative
from kpiboard.analysis.status import Status, criteria_text
from kpiboard.analysis.transitions import TRANSITION_WORDS, Transition
from kpiboard.reports.cards import (
    DIRECTION_WORDS,
    NO_COMMENTARY,
    Action,
    Area,
    Card,
    Fact,
    build_card,
    card_anchor,
    change_words,
    neighbour_areas,
)
from kpiboard.reports.count_tables import (
    Breakdown,
    CountTable,
    SpcSummary,
    build_breakdown,
    build_spc_summary,
    build_summary_table,
)
from kpiboard.reports.cover import FrontMatter, front_matter, report_settings
from kpiboard.reports.proposals import ProposalAppendix
from kpiboard.reports.prose import Prose, highlighted, prose_blocks
from kpiboard.reports.strategic import strategic_scope
from kpiboard.reports.words import (
    count_of,
    count_words,
    is_are,
    period_in_words,
)

__all__ = [
    "DIRECTION_WORDS",
    "NO_COMMENTARY",
    "NO_INDICATORS",
    "Action",
    "Area",
    "Block",
    "Bullets",
    "Card",
    "Fact",
    "FrontMatter",
    "IndicatorNote",
    "Paragraph",
    "Report",
    "Section",
    "build_report",
    "card_anchor",
    "change_words",
    "neighbour_areas",
]

NO_INDICATORS = "There are no indicators in this report."


# -- blocks ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of plain text (renderers escape it), numbered like a committee report's."""

    text: str
    number: str = ""
    kind: str = "paragraph"


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]
    kind: str = "bullets"


@dataclass(frozen=True, slots=True)
class IndicatorNote:
    """An indicator named in the text with its commentary (Markdown, rendered sanitised)."""

    ref: str
    title: str
    status: Status
    commentary: str
    kind: str = "note"


Block = Paragraph | Bullets | Breakdown | IndicatorNote | CountTable | Prose


@dataclass(frozen=True, slots=True)
class Section:
    number: str
    heading: str
    blocks: tuple[Block, ...]

    @property
    def anchor(self) -> str:
        return f"section-{self.number}"


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    subtitle: str
    organisation: str
    language: str
    scope_name: str
    period: str
    front_matter: FrontMatter
    sections: tuple[Section, ...]
    cards: tuple[Card, ...]
    summary: CountTable
    breakdown: Breakdown | None
    spc_summary: SpcSummary
    evaluation: Evaluation = field(repr=False)
    #: Appendix 2, the proposed strategic indicators circulated for comment (docs/proposals.md).
    proposals: ProposalAppendix | None = None

    @property
    def appendix_title(self) -> str:
        return f"Appendix 1: {self.scope_name} performance dashboard {self.period}"


# -- building ----------------------------------------------------------------------------------
def _scope(evaluation: Evaluation) -> tuple[str, str]:
    """The settings key and the name of what the report covers."""
    if evaluation.strategic:
        key, name, _ = strategic_scope(evaluation)
        return key, name
    if evaluation.committee is not None:
        return evaluation.committee.id, evaluation.committee.name
    if evaluation.directorate is not None:
        return evaluation.directorate.id, evaluation.directorate.name
    return "organisation", evaluation.organisation.name


def build_report(
    evaluation: Evaluation,
    actions: Mapping[str, Sequence[Action]] | None = None,
    narrative: Narrative | None = None,
    proposals: ProposalAppendix | None = None,
) -> Report:
    """The whole report for an evaluation of a committee, a directorate or the organisation.

    ``actions`` are the remedial actions by indicator ref, shown on each one's card;
    ``narrative`` is the officer's own words for this report (its cover lines, highlights and
    Markdown at named places), if any; ``proposals`` the appendix of proposed strategic
    indicators circulated for comment (:func:`kpiboard.reports.proposals.proposal_appendix`).
    """
    key, scope_name = _scope(evaluation)
    settings = report_settings(evaluation.organisation, key)
    if evaluation.strategic and "to" not in settings:  # the committee [strategic] names
        settings["to"] = strategic_scope(evaluation)[2] or ""
    places: Mapping[str, str] = {}
    extra: Sequence[tuple[str, str]] = ()
    chosen = None
    if narrative is not None:
        settings.update(narrative.cover)
        places, extra, chosen = narrative.places, narrative.sections, narrative.highlights
    front = front_matter(
        settings, scope_name, evaluation.period, committee=evaluation.committee is not None
    )
    summary = build_summary_table(evaluation)
    breakdown = build_breakdown(evaluation)
    spc_summary = build_spc_summary(evaluation)
    cards = tuple(
        build_card(result, evaluation, (actions or {}).get(result.indicator.ref, ()))
        for result in evaluation.indicators
    )

    def words(place: str) -> list[Block]:
        return list(prose_blocks(places.get(place, "")))

    purpose_heading = str(settings.get("purpose_heading") or "Purpose")
    parts: list[tuple[str, list[Block]]] = [
        (purpose_heading, _purpose(evaluation) + words("purpose")),
        ("Background", _background(evaluation, settings) + words("background")),
    ]
    main = _main_issues(
        evaluation,
        summary,
        breakdown,
        spc_summary,
        words("main_issues"),
        words("after_table"),
        highlighted(evaluation, chosen),
    )
    parts.append(("Main issues", main))
    parts.append(("Conclusion and recommendations", []))  # once the status table's number is known
    parts += [(heading, list(prose_blocks(markdown))) for heading, markdown in extra]
    implications = str(
        settings.get("implications")
        or "This report monitors quarterly performance. There are no significant implications "
        "within this report."
    )
    parts.append(("Significant implications", [Paragraph(implications)]))
    sources: list[Block] = [
        Paragraph(f"Appendix 1: {scope_name} performance dashboard {evaluation.period}.")
    ]
    if proposals is not None:
        sources.append(Paragraph(f"{proposals.title}."))
    sources += [Paragraph(str(text)) for text in settings.get("source_documents", [])]
    parts.append(("Source documents", sources))

    sections = [
        Section(str(n), heading, _numbered(str(n), blocks))
        for n, (heading, blocks) in enumerate(parts, start=1)
    ]
    table_paragraph = _number_before(sections[2].blocks, summary)
    sections[3] = Section(
        "4",
        sections[3].heading,
        _numbered("4", _conclusion(evaluation, table_paragraph) + words("conclusion")),
    )
    return Report(
        title=str(settings.get("title") or "Corporate Performance Report"),
        subtitle=f"{scope_name}, {evaluation.period}",
        organisation=evaluation.organisation.name,
        language=str(settings.get("language", "en-GB")),
        scope_name=scope_name,
        period=str(evaluation.period),
        front_matter=front,
        sections=tuple(sections),
        cards=cards,
        summary=summary,
        breakdown=breakdown,
        spc_summary=spc_summary,
        evaluation=evaluation,
        proposals=proposals,
    )


def _numbered(section: str, blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Number the paragraphs of a section 1.1, 1.2, ... in order (the officer's paragraphs
    too, but not their lists)."""
    numbered: list[Block] = []
    count = 0
    for block in blocks:
        if isinstance(block, Paragraph) and not block.number:
            count += 1
            block = Paragraph(block.text, f"{section}.{count}")
        elif isinstance(block, Prose) and block.numbered and not block.number:
            count += 1
            block = replace(block, number=f"{section}.{count}")
        numbered.append(block)
    return tuple(numbered)


def _number_before(blocks: Sequence[Block], table: CountTable) -> str:
    """The number of the paragraph that introduces ``table``."""
    number = ""
    for block in blocks:
        if block is table:
            return number
        if isinstance(block, Paragraph | Prose) and block.number:
            number = block.number
    return number


def _purpose(evaluation: Evaluation) -> list[Block]:
    ambitions = {a.id: a.name for a in evaluation.organisation.ambitions}
    linked: list[str] = []
    for result in evaluation.indicators:
        for ambition in result.indicator.ambitions:
            if ambition not in linked and ambition in ambitions:
                linked.append(ambition)
    blocks: list[Block] = []
    if len(linked) == 1:
        blocks.append(
            Paragraph(
                "This report analyses the key performance indicators (KPIs) which directly link to "
                f"Ambition {linked[0]}: {ambitions[linked[0]]}. Due to the complex nature of KPIs, "
                "some indicators may also impact other ambitions."
            )
        )
    elif linked:
        blocks.append(
            Paragraph(
                "This report analyses the key performance indicators (KPIs) which directly link to "
                "the following ambitions. Due to the complex nature of KPIs, some indicators may "
                "also impact other ambitions."
            )
        )
        blocks.append(Bullets(tuple(f"Ambition {a}: {ambitions[a]}" for a in linked)))
    else:
        blocks.append(
            Paragraph(
                "This report analyses the key performance indicators (KPIs) monitored by the "
                f"{_scope(evaluation)[1]}."
            )
        )
    return blocks


FRAMEWORK_POINTS = (
    "Set outcomes and strategy in the areas they oversee.",
    "Select and approve the addition and removal of Key Performance Indicators (KPIs) for the "
    "committee performance report.",
    "Track progress quarterly.",
    "Consider whether performance is at an acceptable level.",
    "Seek to understand the reasons behind the level of performance.",
    "Identify remedial action.",
)

DASHBOARD_CONTENTS = (
    "Current and previous performance and the projected linear trend.",
    "Current and previous targets. Please note that not all KPIs have targets, this may be "
    "because they are being developed or the indicator is being monitored for context.",
    "Red / Amber / Green / Blue (RAGB) status, in words as well as colour.",
    "Direction for improvement to show whether an increase or decrease is good.",
    "Change in performance which shows whether performance is improving or deteriorating.",
    "A statistical process control chart (Making Data Count), where there are enough figures, "
    "with what its variation and assurance icons mean, in words: whether the latest figure is a "
    "significant change, and whether the target will be met consistently.",
    "The recent trend of indicators with counts or confidence limits: whether the last five "
    "figures are significantly increasing or decreasing, and getting better or worse.",
    "The performance of our statistical neighbours, with a chart of the council among them, "
    "best first. This is only available, and therefore included, where there is a standard "
    "national definition of the indicator.",
    "KPI description.",
    "Commentary on the KPI.",
)


def _background(evaluation: Evaluation, settings: Mapping[str, Any]) -> list[Block]:
    tolerance = evaluation.organisation.settings.tolerance
    criteria = criteria_text(tolerance)
    period_words = period_in_words(evaluation.period)
    last = period_in_words(evaluation.period).rsplit(" to ", 1)[-1].rstrip(")")
    blocks: list[Block] = [
        Paragraph(
            "The Performance Management Framework sets out that Policy and Service "
            "Committees should:"
        ),
        Bullets(tuple(settings.get("framework_points", FRAMEWORK_POINTS))),
        Paragraph(
            "This report, delivered quarterly, continues to support the committee with its "
            "performance management role. It provides an update on the status of the "
            "selected Key Performance Indicators (KPIs) which track the performance of "
            "the services the committee oversees."
        ),
        Paragraph(
            f"The report covers the period of {period_words.split(' (')[0]}, up to the end "
            f"of {last.split(' ', 1)[1]}."
        ),
        Paragraph(
            "The most recent data for the indicators in this report can be found in the "
            "dashboard at Appendix 1. The dashboard includes the following information "
            "for each KPI:"
        ),
        Bullets(DASHBOARD_CONTENTS),
        Paragraph("The following RAGB criteria are being used:"),
        Bullets(tuple(f"{status.label} – {text}" for status, text in criteria.items())),
    ]
    return blocks


def _note(result: IndicatorResult) -> IndicatorNote:
    commentary = result.commentary.text if result.commentary else ""
    return IndicatorNote(
        ref=result.ref,
        title=f"Indicator {result.ref}: {result.indicator.name}",
        status=result.status,
        commentary=commentary or NO_COMMENTARY,
    )


def _main_issues(
    evaluation: Evaluation,
    summary: CountTable,
    breakdown: Breakdown | None,
    spc_summary: SpcSummary,
    before: Sequence[Block],
    after: Sequence[Block],
    highlights: Sequence[IndicatorResult],
) -> list[Block]:
    """Section 3: the officer's words, the status table and the control charts' counts, more
    of the officer's words, then the highlights chosen and every red indicator."""
    results = evaluation.indicators
    good = [r for r in results if r.status in (Status.GREEN, Status.BLUE)]
    reds = [r for r in results if r.status is Status.RED]
    blocks: list[Block] = [
        *before,
        Paragraph(
            f"Current performance of the {count_of(summary.total, 'indicator')} in this "
            f"report for {evaluation.period} is as follows:"
        ),
        summary,
    ]
    if breakdown is not None and breakdown.rows:
        blocks += [Paragraph(f"By {breakdown.group_heading.lower()}:"), breakdown]
    min_points = evaluation.organisation.settings.spc.min_points
    blocks += [
        Paragraph(
            "The control charts (statistical process control, as in NHS England's Making Data "
            "Count) show whether each indicator's latest figure is a significant change (special "
            "cause variation) or within its usual range (common cause variation), and whether "
            f"its target will be met consistently. A control chart needs at least {min_points} "
            "figures."
        ),
        spc_summary.variation,
        spc_summary.assurance,
        *after,
        Paragraph(highlights_sentence(len(good), len(highlights))),
    ]
    blocks += [_note(r) for r in highlights]
    blocks.append(Paragraph(reds_sentence(len(reds))))
    blocks += [_note(r) for r in reds]
    blocks.append(
        Paragraph("Detailed commentary and a summary of each indicator can be found in Appendix 1.")
    )
    return blocks


def reds_sentence(reds: int) -> str:
    """The paragraph before the red indicators' commentary.

    >>> reds_sentence(0)
    'There are no red indicators this period.'
    >>> reds_sentence(1)
    'There is 1 red indicator for commentary this period.'
    """
    if reds == 0:
        return "There are no red indicators this period."
    return f"There {is_are(reds)} {count_of(reds, 'red indicator')} for commentary this period."


def transition_sentence(group: Transition, members: int) -> str:
    """A group's paragraph of the conclusion, with the group's words (semantics.md 11).

    >>> transition_sentence(Transition.DETERIORATED, 0), transition_sentence(Transition.IMPROVED, 1)
    ('Deteriorated: no indicators.', 'Improved: 1 indicator.')
    """
    return f"{TRANSITION_WORDS[group]}: {count_words(members, 'indicator')}."


def highlights_sentence(good: int, shown: int) -> str:
    """The paragraph before the highlights: how many indicators are Green or Blue and how many
    of them the text highlights (the rest are in the appendix only).

    >>> highlights_sentence(0, 0)
    'There are no Green or Blue indicators this period.'
    >>> highlights_sentence(1, 1)
    'There is 1 Green or Blue indicator this period. It is highlighted below.'
    >>> print(highlights_sentence(10, 2))  # doctest: +NORMALIZE_WHITESPACE
    There are 10 Green or Blue indicators this period. Below are 2 highlights; the others are in
    Appendix 1.
    >>> highlights_sentence(3, 0)
    'There are 3 Green or Blue indicators this period, all in Appendix 1.'
    """
    if good == 0:
        return "There are no Green or Blue indicators this period."
    counted = f"There {is_are(good)} {count_of(good, 'Green or Blue indicator')} this period"
    if shown == 0:
        return f"{counted}, {'in' if good == 1 else 'all in'} Appendix 1."
    if shown == good:
        return f"{counted}. {'It is' if good == 1 else 'Each is'} highlighted below."
    below = "Below is 1 highlight" if shown == 1 else f"Below are {shown} highlights"
    return f"{counted}. {below}; the others are in Appendix 1."


def _conclusion(evaluation: Evaluation, table_paragraph: str) -> list[Block]:
    results = {r.ref: r for r in evaluation.indicators}
    transitions = evaluation.transitions
    previous = evaluation.previous_period

    def moved(ref: str) -> str:
        r = results[ref]
        return (
            f"Indicator {ref}: {r.indicator.name} has gone from {r.previous_status.label} "
            f"to {r.status.label}"
        )

    def named(ref: str) -> str:
        return f"Indicator {ref}: {results[ref].indicator.name}"

    def kept(ref: str) -> str:
        return f"{named(ref)} ({results[ref].status.label})"

    describe = {
        Transition.IMPROVED: moved,
        Transition.DETERIORATED: moved,
        Transition.UNCHANGED: kept,
        Transition.NOT_RATED: kept,
        Transition.CHANGED_CATEGORY: moved,
    }
    blocks: list[Block] = [
        Paragraph(
            f"Paragraph {table_paragraph} shows the breakdown of RAGB status for the indicators "
            "in this report. "
            f"Compared with {previous}, each indicator is in one of the groups in the "
            "paragraphs that follow."
        )
    ]
    for group in Transition:
        members = transitions.members(group)
        blocks.append(Paragraph(transition_sentence(group, len(members))))
        if members:
            blocks.append(Bullets(tuple(describe[group](ref) for ref in members)))
    return blocks
