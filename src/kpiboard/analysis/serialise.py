"""The JSON of ``kpiboard evaluate`` (formats.md), built from an :class:`Evaluation`.

Numbers are JSON numbers. Values are given as computed (not rounded for display); derived
statistics (trend, neighbour mean) are rounded to six decimals, which is far below any display
precision and keeps the output stable across platforms.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult, TrendResult
from kpiboard.analysis.neighbours import NeighbourComparison
from kpiboard.analysis.recent_trend import recent_trend_json
from kpiboard.analysis.spc import spc_json
from kpiboard.analysis.transitions import Transition

__all__ = ["evaluation_to_json", "number"]

DERIVED_DECIMALS = 6


def number(value: Decimal | float | None) -> float | int | None:
    """A JSON number: integral Decimals stay exact as floats, None stays null."""
    if value is None:
        return None
    return float(value)


def _derived(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value), DERIVED_DECIMALS)


def evaluation_to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The whole evaluation as formats.md's JSON object."""
    committee = evaluation.committee
    found: dict[str, Any] = {
        "organisation": evaluation.organisation.name,
        "period": str(evaluation.period),
        "previous_period": str(evaluation.previous_period),
        "committee": committee.id if committee else None,
        "indicators": [_indicator(result) for result in evaluation.indicators],
        "summary": [
            {"status": str(row.status), "count": row.count, "percent": row.percent}
            for row in evaluation.summary
        ],
        "summary_footnote": evaluation.summary_footnote,
        "transitions": {
            **{str(group): list(evaluation.transitions.members(group)) for group in Transition},
            "matrix": {
                str(before): {str(after): n for after, n in row.items()}
                for before, row in evaluation.transitions.matrix.items()
            },
        },
    }
    if evaluation.strategic:  # only then: the other scopes' JSON is exactly formats.md's
        directorate = evaluation.directorate
        found["strategic"] = {"directorate": directorate.id if directorate else None}
    return found


def _indicator(result: IndicatorResult) -> dict[str, Any]:
    indicator = result.indicator
    value, previous = result.value, result.previous_value
    return {
        "ref": indicator.ref,
        "name": indicator.name,
        "unit": str(indicator.unit),
        "direction": str(indicator.direction),
        "value": number(value.value) if value else None,
        "as_of": str(value.as_of) if value else None,
        "complete": value.complete if value else None,
        "previous_value": number(previous.value) if previous else None,
        "target": number(result.target),
        "previous_target": number(result.previous_target),
        "status": str(result.status),
        "previous_status": str(result.previous_status),
        "change": str(result.change) if result.change else None,
        "change_year_on_year": (
            str(result.change_year_on_year) if result.change_year_on_year else None
        ),
        "trend": _trend(result.trend),
        "neighbours": _neighbours(result.neighbours),
        "spc": spc_json(result.spc, [o.period for o in result.history]),
        "recent_trend": recent_trend_json(result.recent_trend),
        "commentary": result.commentary.text if result.commentary else None,
        "warnings": list(result.warnings),
        "breakdowns": [
            {
                "period": str(row.period),
                "group": row.group,
                "value": number(row.value),
                "numerator": number(row.numerator),
                "denominator": number(row.denominator),
            }
            for row in result.breakdowns
        ],
    }


def _trend(trend: TrendResult | None) -> dict[str, Any] | None:
    if trend is None:
        return None
    return {
        "points": trend.fit.points,
        "slope": _derived(trend.fit.slope),
        "projection_next": _derived(trend.next.value),
        "projection_next_interval": [_derived(trend.next.lower), _derived(trend.next.upper)],
        "projection_year_end": _derived(trend.year_end.value),
        "projection_year_end_interval": [
            _derived(trend.year_end.lower),
            _derived(trend.year_end.upper),
        ],
        "year_end_target": number(trend.year_end_target),
        "projected_status": str(trend.projected_status) if trend.projected_status else None,
    }


def _neighbours(found: NeighbourComparison | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "period": str(found.period),
        "n": found.n,
        "mean": _derived(found.mean),
        "median": _derived(found.median),
        "rank": found.rank,
        "group_size": found.group_size,
        "quartile": found.quartile,
        "comparison": str(found.comparison) if found.comparison else None,
        "england": number(found.england),
    }
