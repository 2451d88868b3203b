"""An indicator's card in the report's appendix: its figures in words, its status, its
statistical evidence and its commentary, and the council among its neighbours.

Built by :func:`build_card` from the same evaluation as the report's text, so a card never says
other than the sections that name its indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult
from kpiboard.analysis.model import Direction
from kpiboard.analysis.periods import Period
from kpiboard.analysis.status import Status
from kpiboard.analysis.values import PeriodValue
from kpiboard.reports.breakdown_table import GroupTable, group_table
from kpiboard.reports.formatting import CHANGE_ARROWS, format_value, within_bounds
from kpiboard.reports.icons import (
    assurance_icon,
    assurance_text,
    no_control_chart,
    recent_trend_text,
    variation_icon,
    variation_text,
)
from kpiboard.reports.words import (
    figure_label,
    period_label,
)

__all__ = [
    "DIRECTION_WORDS",
    "NO_COMMENTARY",
    "Action",
    "Area",
    "Card",
    "Fact",
    "build_card",
    "card_anchor",
    "change_words",
    "neighbour_areas",
]

NO_COMMENTARY = "No commentary was provided for this period."


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


# -- cards -------------------------------------------------------------------------------------
DIRECTION_WORDS = {
    Direction.HIGHER: "Higher is better",
    Direction.LOWER: "Lower is better",
    Direction.NONE: "No direction: tracked for context",
}


def build_card(
    result: IndicatorResult, evaluation: Evaluation, actions: Sequence[Action] = ()
) -> Card:
    """The card of one indicator of ``evaluation``, with its remedial actions."""
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
