"""The report model: one committee report, written once, rendered to HTML, PDF, Word and Excel.

:func:`build_report` turns an :class:`~kpiboard.analysis.evaluate.Evaluation` into a
:class:`Report`: front matter, numbered sections made of a few kinds of block, and an appendix card
per indicator. Every count, percentage and list in the text is read from the evaluation, the same
object the tables are drawn from, so the text cannot contradict the tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult
from kpiboard.analysis.model import Direction, Organisation, PercentRounding
from kpiboard.analysis.periods import Period
from kpiboard.analysis.status import Status, criteria_text
from kpiboard.analysis.summary import (
    SummaryRow,
    independent_percentages,
    largest_remainder_percentages,
    summary_footnote,
)
from kpiboard.analysis.transitions import TRANSITION_WORDS, Transition
from kpiboard.analysis.values import PeriodValue
from kpiboard.reports.breakdown_table import GroupTable, group_table
from kpiboard.reports.formatting import CHANGE_ARROWS, format_value, within_bounds
from kpiboard.reports.icons import (
    ASSURANCE_GROUPS,
    VARIATION_GROUPS,
    AssuranceGroup,
    VariationGroup,
    assurance_group,
    assurance_icon,
    assurance_text,
    no_control_chart,
    recent_trend_text,
    variation_group,
    variation_icon,
    variation_text,
)
from kpiboard.reports.words import (
    count_of,
    figure_label,
    is_are,
    long_date,
    period_in_words,
    period_label,
)

__all__ = [
    "DIRECTION_WORDS",
    "NO_COMMENTARY",
    "NO_INDICATORS",
    "Action",
    "Area",
    "Block",
    "Breakdown",
    "Bullets",
    "Card",
    "CountLine",
    "CountTable",
    "Fact",
    "FrontMatter",
    "IndicatorNote",
    "Paragraph",
    "Report",
    "Section",
    "SpcSummary",
    "build_report",
    "card_anchor",
    "change_words",
    "neighbour_areas",
]

NO_COMMENTARY = "No commentary was provided for this period."
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
class Breakdown:
    """Status counts by directorate or committee, for scorecards."""

    caption: str
    group_heading: str
    statuses: tuple[Status, ...]
    rows: tuple[tuple[str, tuple[int, ...], int], ...]
    kind: str = "breakdown"


@dataclass(frozen=True, slots=True)
class IndicatorNote:
    """An indicator named in the text with its commentary (Markdown, rendered sanitised)."""

    ref: str
    title: str
    status: Status
    commentary: str
    kind: str = "note"


@dataclass(frozen=True, slots=True)
class CountLine:
    """A row of a count table: what is counted (``key``, for the renderers), its words, the
    number of indicators and their percentage of all; ``status`` in the status summary, whose
    rows are statuses (shown in their colours, with their words)."""

    key: str
    label: str
    count: int
    percent: int
    status: Status | None = None


@dataclass(frozen=True, slots=True)
class CountTable:
    """Indicators counted by one property, each in exactly one row: the status summary (by
    status, as the spec computes it), and the variation and assurance tables. Percentages add
    up to 100 unless rounded independently; then ``footnote`` says so, and the total row still
    says 100% (semantics.md 10)."""

    caption: str
    heading: str
    lines: tuple[CountLine, ...]
    total: int
    footnote: str | None
    kind: str = "counts"

    @property
    def total_percent(self) -> str:
        """The total row's percentage: "100%", or "0%" for a table of no indicators."""
        return "100%" if self.total else "0%"

    @property
    def of_statuses(self) -> bool:
        """Whether this is the status summary (its rows are statuses)."""
        return any(line.status is not None for line in self.lines)


@dataclass(frozen=True, slots=True)
class SpcSummary:
    """What the control charts show across the report: variation and assurance counts."""

    variation: CountTable
    assurance: CountTable


Block = Paragraph | Bullets | Breakdown | IndicatorNote | CountTable


@dataclass(frozen=True, slots=True)
class Section:
    number: str
    heading: str
    blocks: tuple[Block, ...]

    @property
    def anchor(self) -> str:
        return f"section-{self.number}"


# -- the appendix ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Fact:
    """One labelled figure on an indicator's card."""

    label: str
    text: str
    status: Status | None = None
    #: A decorative picture beside the words (inline SVG markup), such as an SPC icon.
    icon: str | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """A remedial action recorded for an off-target indicator (the web app keeps them)."""

    what: str
    who: str
    due: date
    state: str

    def __str__(self) -> str:
        return f"{self.what} ({self.who}, by {self.due.day} {self.due:%B %Y}; {self.state.lower()})"


@dataclass(frozen=True, slots=True)
class Card:
    """The dashboard entry of one indicator."""

    ref: str
    name: str
    description: str
    status: Status
    previous_status: Status
    facts: tuple[Fact, ...]
    commentary: str
    result: IndicatorResult
    #: Why there is no control chart ("Fewer than 13 points: ..."); None when there is one.
    no_control_chart: str | None = None
    #: The indicator's figures by group in the reporting period (breakdowns.csv), if any.
    groups: GroupTable | None = None

    @property
    def title(self) -> str:
        return f"Indicator {self.ref}: {self.name}"

    @property
    def anchor(self) -> str:
        return card_anchor(self.ref)


def card_anchor(ref: str) -> str:
    """The HTML id of an indicator's card: ``indicator-`` and the ref, safe for a URL."""
    return "indicator-" + "".join(c if c.isalnum() else "-" for c in ref)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The cover of the report, from ``[report]`` tables in organisation.toml."""

    to: str
    meeting_date: str
    from_: str
    electoral_divisions: str
    key_decision: str
    forward_plan_ref: str
    executive_summary: str
    recommendation: str
    officer_name: str
    officer_post: str
    officer_email: str

    def rows(self) -> list[tuple[str, str]]:
        """The label and value of each line of the cover, in the order councils print them."""
        return [
            ("To", self.to),
            ("Meeting date", self.meeting_date),
            ("From", self.from_),
            ("Electoral division(s)", self.electoral_divisions),
            ("Key decision", self.key_decision),
            ("Forward Plan ref", self.forward_plan_ref),
            ("Executive summary", self.executive_summary),
            ("Recommendation", self.recommendation),
        ]

    def officer_rows(self) -> list[tuple[str, str]]:
        return [
            ("Name", self.officer_name),
            ("Post", self.officer_post),
            ("Email", self.officer_email),
        ]


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

    @property
    def appendix_title(self) -> str:
        return f"Appendix 1: {self.scope_name} performance dashboard {self.period}"


# -- building ----------------------------------------------------------------------------------
def report_settings(organisation: Organisation, key: str) -> dict[str, Any]:
    """``[report]`` keys, overridden by those of ``[report.<key>]`` (the scope's own table):
    the front matter a report of that scope starts from."""
    table = organisation.extra.get("report", {})
    if not isinstance(table, Mapping):
        return {}
    merged = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    specific = table.get(key, {})
    if isinstance(specific, Mapping):
        merged.update(specific)
    return merged


def _meeting_date(value: object) -> str:
    if isinstance(value, date):
        return long_date(value)
    try:
        return long_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _scope(evaluation: Evaluation) -> tuple[str, str]:
    """The settings key and the name of what the report covers."""
    if evaluation.committee is not None:
        return evaluation.committee.id, evaluation.committee.name
    if evaluation.directorate is not None:
        return evaluation.directorate.id, evaluation.directorate.name
    return "organisation", evaluation.organisation.name


def build_report(
    evaluation: Evaluation, actions: Mapping[str, Sequence[Action]] | None = None
) -> Report:
    """The whole report for an evaluation of a committee, a directorate or the organisation.

    ``actions`` are the remedial actions by indicator ref, shown on each one's card.
    """
    key, scope_name = _scope(evaluation)
    settings = report_settings(evaluation.organisation, key)
    period_words = period_in_words(evaluation.period)
    front = FrontMatter(
        to=str(settings.get("to", scope_name)),
        meeting_date=_meeting_date(settings.get("meeting_date", "To be confirmed")),
        from_=str(settings.get("from", "")),
        electoral_divisions=str(settings.get("electoral_divisions", "All")),
        key_decision=str(settings.get("key_decision", "No")),
        forward_plan_ref=str(settings.get("forward_plan_ref", "Not applicable")),
        executive_summary=str(
            settings.get(
                "executive_summary",
                f"This report provides an update to the {scope_name} on the performance monitoring "
                f"information for {period_words}.",
            )
        ),
        recommendation=str(
            settings.get(
                "recommendation",
                "The Committee is asked to note performance information and act, as necessary.",
            )
        ),
        officer_name=str(settings.get("officer_name", "")),
        officer_post=str(settings.get("officer_post", "")),
        officer_email=str(settings.get("officer_email", "")),
    )
    summary = _summary_table(evaluation)
    breakdown = _breakdown(evaluation)
    spc_summary = _spc_summary(evaluation)
    cards = tuple(
        _card(result, evaluation, (actions or {}).get(result.indicator.ref, ()))
        for result in evaluation.indicators
    )
    sections = (
        _purpose(evaluation, settings),
        _background(evaluation, settings, period_words),
        _main_issues(evaluation, summary, breakdown, spc_summary),
        _conclusion(evaluation),
        Section(
            "5",
            "Significant implications",
            (
                Paragraph(
                    str(
                        settings.get(
                            "implications",
                            "This report monitors quarterly performance. There are no significant "
                            "implications within this report.",
                        )
                    ),
                    "5.1",
                ),
            ),
        ),
        Section(
            "6",
            "Source documents",
            (
                Paragraph(
                    f"Appendix 1: {scope_name} performance dashboard {evaluation.period}.", "6.1"
                ),
                *(
                    Paragraph(str(text), f"6.{i}")
                    for i, text in enumerate(settings.get("source_documents", []), start=2)
                ),
            ),
        ),
    )
    return Report(
        title=str(settings.get("title", "Corporate Performance Report")),
        subtitle=f"{scope_name}, {evaluation.period}",
        organisation=evaluation.organisation.name,
        language=str(settings.get("language", "en-GB")),
        scope_name=scope_name,
        period=str(evaluation.period),
        front_matter=front,
        sections=sections,
        cards=cards,
        summary=summary,
        breakdown=breakdown,
        spc_summary=spc_summary,
        evaluation=evaluation,
    )


def _numbered(section: str, blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Number the paragraphs of a section 1.1, 1.2, ... in order."""
    numbered: list[Block] = []
    count = 0
    for block in blocks:
        if isinstance(block, Paragraph) and not block.number:
            count += 1
            block = Paragraph(block.text, f"{section}.{count}")
        numbered.append(block)
    return tuple(numbered)


def _purpose(evaluation: Evaluation, settings: Mapping[str, Any]) -> Section:
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
    heading = str(settings.get("purpose_heading", "Purpose"))
    return Section("1", heading, _numbered("1", blocks))


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


def _background(evaluation: Evaluation, settings: Mapping[str, Any], period_words: str) -> Section:
    tolerance = evaluation.organisation.settings.tolerance
    criteria = criteria_text(tolerance)
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
    return Section("2", "Background", _numbered("2", blocks))


def _summary_table(evaluation: Evaluation) -> CountTable:
    """The status summary, row by row as the engine counted it (``evaluation.summary``), with
    the engine's footnote."""
    lines = tuple(
        CountLine(str(row.status), row.status.label, row.count, row.percent, row.status)
        for row in evaluation.summary
    )
    return CountTable(
        caption=f"Status of indicators, {evaluation.period}",
        heading="Status",
        lines=lines,
        total=sum(line.count for line in lines),
        footnote=evaluation.summary_footnote,
    )


def _percentages(counts: Sequence[int], rounding: PercentRounding) -> list[int]:
    """Percentages of the counts as the status summary rounds them (semantics.md 10)."""
    if rounding is PercentRounding.LARGEST_REMAINDER:
        return largest_remainder_percentages(counts)
    return independent_percentages(counts)


def _count_table(
    caption: str,
    heading: str,
    labels: Mapping[Any, str],
    found: Counter[Any],
    only_when_present: frozenset[Any],
    evaluation: Evaluation,
) -> CountTable:
    """A row per group of ``labels`` in order (those in ``only_when_present`` only when some
    indicator is in them), with percentages rounded as the status summary's."""
    rounding = evaluation.organisation.settings.percent_rounding
    shown = [key for key in labels if key not in only_when_present or found[key]]
    counts = [found[key] for key in shown]
    percents = _percentages(counts, rounding)
    # The status summary's rule for its footnote, on these rows (their status is not read).
    footnote = summary_footnote(
        SummaryRow(Status.NO_DATA, count, percent)
        for count, percent in zip(counts, percents, strict=True)
    )
    return CountTable(
        caption=caption,
        heading=heading,
        lines=tuple(
            CountLine(str(key), labels[key], count, percent)
            for key, count, percent in zip(shown, counts, percents, strict=True)
        ),
        total=sum(counts),
        footnote=footnote,
    )


def _spc_summary(evaluation: Evaluation) -> SpcSummary:
    """How many indicators show each kind of variation and of assurance at the latest point.

    Every indicator is counted once in each table, from its control chart in the evaluation;
    one without a control chart (too few points) in the last row of both.
    """
    results = evaluation.indicators
    return SpcSummary(
        variation=_count_table(
            f"Variation shown by the control charts, {evaluation.period}",
            "Variation at the latest point",
            VARIATION_GROUPS,
            Counter(variation_group(r) for r in results),
            frozenset({VariationGroup.NEUTRAL}),
            evaluation,
        ),
        assurance=_count_table(
            f"Assurance of meeting the target, {evaluation.period}",
            "Assurance against the target",
            ASSURANCE_GROUPS,
            Counter(assurance_group(r) for r in results),
            frozenset({AssuranceGroup.PROCESS_CHANGED, AssuranceGroup.NOT_ASSESSED}),
            evaluation,
        ),
    )


def _breakdown(evaluation: Evaluation) -> Breakdown | None:
    """Counts by committee (for a directorate) or by directorate (for the organisation)."""
    if evaluation.committee is not None:
        return None
    organisation = evaluation.organisation
    if evaluation.directorate is not None:
        heading = "Committee"
        groups = [(c.id, c.name) for c in organisation.committees]

        def keys(result: IndicatorResult) -> Sequence[str]:
            return result.indicator.committees
    else:
        heading = "Directorate"
        groups = [(d.id, d.name) for d in organisation.directorates]

        def keys(result: IndicatorResult) -> Sequence[str]:
            return (result.indicator.directorate,)

    statuses = tuple(line.status for line in evaluation.summary)
    rows = []
    for group_id, name in groups:
        members = [r for r in evaluation.indicators if group_id in keys(r)]
        if not members:
            continue
        counts = tuple(sum(1 for r in members if r.status is s) for s in statuses)
        rows.append((name, counts, len(members)))
    return Breakdown(
        caption=f"Status of indicators by {heading.lower()}, {evaluation.period}",
        group_heading=heading,
        statuses=statuses,
        rows=tuple(rows),
    )


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
) -> Section:
    results = evaluation.indicators
    highlights = [r for r in results if r.status in (Status.GREEN, Status.BLUE)]
    reds = [r for r in results if r.status is Status.RED]
    blocks: list[Block] = [
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
    ]
    if highlights:
        blocks.append(
            Paragraph(
                f"There {is_are(len(highlights))} "
                f"{count_of(len(highlights), 'Green or Blue indicator')} this period. Below are "
                "the highlights."
            )
        )
        blocks += [_note(r) for r in highlights]
    else:
        blocks.append(Paragraph("There are no Green or Blue indicators this period."))
    if reds:
        blocks.append(
            Paragraph(
                f"There {is_are(len(reds))} {count_of(len(reds), 'red indicator')} for commentary "
                "this period."
            )
        )
        blocks += [_note(r) for r in reds]
    else:
        blocks.append(Paragraph("There are no red indicators this period."))
    blocks.append(
        Paragraph("Detailed commentary and a summary of each indicator can be found in Appendix 1.")
    )
    return Section("3", "Main issues", _numbered("3", blocks))


def _conclusion(evaluation: Evaluation) -> Section:
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
            "Paragraph 3.1 shows the breakdown of RAGB status for the indicators in this report. "
            f"Compared with {previous}, each indicator is in one of the groups in the "
            "paragraphs that follow."
        )
    ]
    for group in Transition:
        members = transitions.members(group)
        blocks.append(
            Paragraph(f"{TRANSITION_WORDS[group]}: {count_of(len(members), 'indicator')}.")
        )
        if members:
            blocks.append(Bullets(tuple(describe[group](ref) for ref in members)))
    return Section("4", "Conclusion and recommendations", _numbered("4", blocks))


# -- cards -------------------------------------------------------------------------------------
DIRECTION_WORDS = {
    Direction.HIGHER: "Higher is better",
    Direction.LOWER: "Lower is better",
    Direction.NONE: "No direction: tracked for context",
}


def _card(result: IndicatorResult, evaluation: Evaluation, actions: Sequence[Action] = ()) -> Card:
    indicator = result.indicator
    unit, decimals = indicator.unit, indicator.decimals
    min_points = evaluation.organisation.settings.spc.min_points

    def show(value: Decimal | float | None) -> str:
        return format_value(value, unit, decimals)

    value, previous = result.value, result.previous_value
    frequency = indicator.frequency

    def labelled(figure: PeriodValue | None, period: Period) -> str:
        label = figure_label(figure, frequency, period)
        return show(figure.value if figure else None) + (f" for {label}" if label else "")

    facts = [
        Fact("Current performance", labelled(value, evaluation.period)),
        Fact("Previous performance", labelled(previous, evaluation.previous_period)),
        Fact("Current target", show(result.target)),
        Fact("Previous target", show(result.previous_target)),
        Fact("Status", result.status.label, result.status),
        Fact("Previous status", result.previous_status.label, result.previous_status),
        Fact("Direction of improvement", DIRECTION_WORDS[indicator.direction]),
        Fact(f"Change since {evaluation.previous_period}", change_words(result.change)),
        Fact("Change on a year earlier", change_words(result.change_year_on_year)),
        Fact("Projected linear trend", _trend_text(result, show)),
        Fact(
            "Variation (control chart)",
            variation_text(result, min_points),
            icon=variation_icon(result),
        ),
        Fact(
            "Assurance (control chart)",
            assurance_text(result, min_points),
            icon=assurance_icon(result),
        ),
        Fact("Recent trend", recent_trend_text(result)),
    ]
    if result.neighbours is not None:
        facts.append(
            Fact(
                f"Statistical neighbours ({result.neighbours.period})",
                _neighbour_text(result, show),
            )
        )
    if actions:
        facts.append(
            Fact("Remedial actions", " ".join(f"{n}. {a}" for n, a in enumerate(actions, 1)))
        )
    if result.warnings:
        facts.append(Fact("Data quality", " ".join(result.warnings)))
    return Card(
        ref=indicator.ref,
        name=indicator.name,
        description=indicator.description,
        status=result.status,
        previous_status=result.previous_status,
        facts=tuple(facts),
        commentary=result.commentary.text if result.commentary else "",
        result=result,
        no_control_chart=no_control_chart(result, min_points),
        groups=group_table(result, evaluation.organisation, evaluation.period),
    )


def change_words(change: object) -> str:
    """A change as an arrow and words, e.g. "▲ Improving"; "Not available" without one."""
    if change is None:
        return "Not available"
    return f"{CHANGE_ARROWS[change]} {str(change).capitalize()}"  # type: ignore[index]


def _trend_text(result: IndicatorResult, show: Any) -> str:
    trend = result.trend
    if trend is None:
        return "Not available (fewer than three figures)"
    year_end = trend.year_end
    lower, upper, cut = within_bounds(result.indicator, year_end.lower, year_end.upper)
    text = (
        f"{show(year_end.value)} by the end of {period_label(year_end.period)} "
        f"(95% prediction interval {show(lower)} to {show(upper)}{', ' + cut if cut else ''}), "
        f"from the last {trend.fit.points} figures"
    )
    if trend.projected_status is not None and trend.year_end_target is not None:
        text += (
            f"; {trend.projected_status.label} against the year-end target of "
            f"{show(trend.year_end_target)}"
        )
    return text


def _neighbour_text(result: IndicatorResult, show: Any) -> str:
    found = result.neighbours
    assert found is not None
    parts = [f"median {show(found.median)} of {found.n} neighbours"]
    if found.rank is not None:
        parts.append(f"ranked {found.rank} of {found.group_size} (1 is best)")
        parts.append(f"quartile {found.quartile} (1 is best)")
    if found.comparison is not None:
        parts.append(
            f"{found.comparison} than the neighbours' median"
            if str(found.comparison) != "similar"
            else "similar to the neighbours' median"
        )
    if found.england is not None:
        parts.append(f"England {show(found.england)}")
    return "; ".join(parts)


# -- the council among its neighbours -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Area:
    """One area of a neighbour comparison: its name, its value, whether it is the council, and
    its rank (1 is best; ties share the better rank; None when the indicator has no direction)."""

    name: str
    value: Decimal
    council: bool
    rank: int | None


def neighbour_areas(result: IndicatorResult, council: str) -> list[Area]:
    """The council and its neighbours, best first (highest first with no direction).

    Ranks as the engine's: 1 + the number of areas strictly better, so the council's rank is
    the one on its card. Among equal values the council comes first, then by name.
    """
    found = result.neighbours
    if found is None:
        return []
    sign = result.indicator.direction.sign
    values = [(council, found.council_value, True)] + [
        (row.area_name, row.value, False) for row in found.values if row.value is not None
    ]
    order = sign or 1

    def rank(value: Decimal) -> int | None:
        if not sign:
            return None
        return 1 + sum(1 for _, other, _ in values if sign * other > sign * value)

    ordered = sorted(values, key=lambda v: (-order * v[1], not v[2], v[0]))
    return [Area(name, value, is_council, rank(value)) for name, value, is_council in ordered]
