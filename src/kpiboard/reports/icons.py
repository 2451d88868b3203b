"""The Making Data Count icons and Fingertips' recent trend marker, in words.

A board report shows variation and assurance as icons; a committee report here says what each
icon means, in the words NHS England's Making Data Count guidance uses, so that no reader needs
to know the pictures (and colour is never the only signal). Each indicator falls in exactly one
group of :class:`VariationGroup` and one of :class:`AssuranceGroup`: the summary table counts
those groups, and the card gives the finer words.

>>> from kpiboard.analysis.spc import Variation
>>> VARIATION_WORDS[Variation.IMPROVEMENT_LOW].label
'Special cause improvement (low)'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from kpiboard.analysis.evaluate import IndicatorResult
from kpiboard.analysis.model import Direction
from kpiboard.analysis.recent_trend import CANNOT_BE_CALCULATED, NO_SIGNIFICANT_CHANGE
from kpiboard.analysis.spc import Assurance, PointType, Variation
from kpiboard.analysis.status import Status
from kpiboard.reports.words import count_of, period_label

__all__ = [
    "ASSURANCE_GROUPS",
    "ASSURANCE_WORDS",
    "CHANGE_PATTERN_WORDS",
    "POINT_WORDS",
    "RULE_WORDS",
    "VARIATION_GROUPS",
    "VARIATION_WORDS",
    "AssuranceGroup",
    "Icon",
    "VariationGroup",
    "assurance_group",
    "assurance_icon",
    "assurance_label",
    "assurance_text",
    "no_control_chart",
    "process_change_text",
    "recent_trend_text",
    "variation_group",
    "variation_icon",
    "variation_label",
    "variation_text",
]


class VariationGroup(StrEnum):
    """What the latest point of the control chart shows, as the summary counts it."""

    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEUTRAL = "neutral"
    COMMON_CAUSE = "common_cause"
    TOO_FEW_POINTS = "too_few_points"


class AssuranceGroup(StrEnum):
    """Whether the process can be relied on to meet its target, as the summary counts it."""

    PASS = "pass"
    HIT_AND_MISS = "hit_and_miss"
    FAIL = "fail"
    PROCESS_CHANGED = "process_changed"
    NOT_ASSESSED = "not_assessed"
    TOO_FEW_POINTS = "too_few_points"


@dataclass(frozen=True, slots=True)
class Icon:
    """An icon's name (``label``), what it means (``meaning``) and the summary group it is in."""

    label: str
    meaning: str
    group: str

    @property
    def text(self) -> str:
        """ "Special cause improvement (high): significantly higher, which is better"."""
        return f"{self.label}: {self.meaning}"


_IMPROVEMENT, _CONCERN = VariationGroup.IMPROVEMENT, VariationGroup.CONCERN
_NEUTRAL = VariationGroup.NEUTRAL

VARIATION_WORDS: Mapping[Variation, Icon] = MappingProxyType(
    {
        Variation.COMMON_CAUSE: Icon(
            "Common cause variation", "no significant change", VariationGroup.COMMON_CAUSE
        ),
        Variation.IMPROVEMENT_HIGH: Icon(
            "Special cause improvement (high)",
            "the latest figure is significantly higher, which is better",
            _IMPROVEMENT,
        ),
        Variation.IMPROVEMENT_LOW: Icon(
            "Special cause improvement (low)",
            "the latest figure is significantly lower, which is better",
            _IMPROVEMENT,
        ),
        Variation.CONCERN_HIGH: Icon(
            "Special cause concern (high)",
            "the latest figure is significantly higher, which is worse",
            _CONCERN,
        ),
        Variation.CONCERN_LOW: Icon(
            "Special cause concern (low)",
            "the latest figure is significantly lower, which is worse",
            _CONCERN,
        ),
        Variation.NEUTRAL_HIGH: Icon(
            "Special cause variation (high)",
            "the latest figure is significantly higher; neither better nor worse, as this "
            "indicator has no direction of improvement",
            _NEUTRAL,
        ),
        Variation.NEUTRAL_LOW: Icon(
            "Special cause variation (low)",
            "the latest figure is significantly lower; neither better nor worse, as this "
            "indicator has no direction of improvement",
            _NEUTRAL,
        ),
    }
)
"""Making Data Count's variation icons, read from the last point of the control chart."""

ASSURANCE_WORDS: Mapping[Assurance, Icon] = MappingProxyType(
    {
        Assurance.PASS: Icon(
            "Will consistently pass the target",
            "the process limits are both on the better side of the target",
            AssuranceGroup.PASS,
        ),
        Assurance.INCONSISTENT: Icon(
            "Hit and miss",
            "will sometimes pass and sometimes fail the target, which lies between the process "
            "limits",
            AssuranceGroup.HIT_AND_MISS,
        ),
        Assurance.FAIL: Icon(
            "Will consistently fail the target",
            "the process limits are both on the worse side of the target",
            AssuranceGroup.FAIL,
        ),
    }
)
"""Making Data Count's assurance icons: the target against the latest process limits."""

VARIATION_GROUPS: Mapping[VariationGroup, str] = MappingProxyType(
    {
        VariationGroup.IMPROVEMENT: "Special cause improvement",
        VariationGroup.CONCERN: "Special cause concern",
        VariationGroup.NEUTRAL: "Special cause variation, neither improvement nor concern",
        VariationGroup.COMMON_CAUSE: "Common cause variation",
        VariationGroup.TOO_FEW_POINTS: "Too few points for a control chart",
    }
)
"""The rows of the summary's variation table, in order."""

ASSURANCE_GROUPS: Mapping[AssuranceGroup, str] = MappingProxyType(
    {
        AssuranceGroup.PASS: "Will consistently pass the target",
        AssuranceGroup.HIT_AND_MISS: "Hit and miss: will sometimes meet the target",
        AssuranceGroup.FAIL: "Will consistently fail the target",
        AssuranceGroup.PROCESS_CHANGED: "Not judged: the process has changed since its limits "
        "were set",
        AssuranceGroup.NOT_ASSESSED: "Not assessed: no target, or no direction of improvement",
        AssuranceGroup.TOO_FEW_POINTS: "Too few points for a control chart",
    }
)
"""The rows of the summary's assurance table, in order."""


POINT_WORDS: Mapping[PointType, str] = MappingProxyType(
    {
        PointType.COMMON_CAUSE: "Common cause",
        PointType.IMPROVEMENT: "Improvement",
        PointType.CONCERN: "Concern",
        PointType.NEUTRAL_HIGH: "Unusually high",
        PointType.NEUTRAL_LOW: "Unusually low",
    }
)
"""What each point of a control chart is, as its legend and its data table name it."""

RULE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "outside_limits": "Outside the process limits",
        "trend": "Trend: a run of figures each higher, or each lower, than the one before",
        "two_in_three": "Two of three figures near a process limit",
        "shift": "Shift: a run of figures on one side of the mean",
    }
)
"""The special-cause rule that decided a point (``SpcResult.special_causes``), in words."""


def no_control_chart(result: IndicatorResult, min_points: int) -> str | None:
    """Why the indicator has no control chart, in words; None when it has one: "Fewer than
    13 points: no control chart yet (10 so far)."."""
    if result.spc is not None:
        return None
    if not result.history:
        return "No figures yet: no control chart."
    return f"Fewer than {min_points} points: no control chart yet ({len(result.history)} so far)."


def variation_group(result: IndicatorResult) -> VariationGroup:
    if result.spc is None:
        return VariationGroup.TOO_FEW_POINTS
    return VariationGroup(VARIATION_WORDS[result.spc.variation].group)


def variation_text(result: IndicatorResult, min_points: int) -> str:
    """The variation icon's name and meaning, or why there is no control chart."""
    if result.spc is None:
        return no_control_chart(result, min_points) or ""
    return VARIATION_WORDS[result.spc.variation].text


def variation_label(result: IndicatorResult, min_points: int) -> str:
    """The variation icon's name alone, for a column to sort and filter by."""
    if result.spc is None:
        return variation_text(result, min_points)
    return VARIATION_WORDS[result.spc.variation].label


CHANGE_PATTERN_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "above_mean": "a run of {points} above the mean",
        "below_mean": "a run of {points} below the mean",
        "rising": "a run of {points} each higher than the one before",
        "falling": "a run of {points} each lower than the one before",
        "special_causes": "a mixture of special causes over the last {points}",
    }
)
"""What the points of a changed process do (``ProcessChange.pattern``), in words."""


def process_change_text(result: IndicatorResult) -> str | None:
    """When the process has changed (semantics.md 8, stability), what the limits and the
    assurance icon are worth, in words; None for a stable process or one without a chart:
    "The process has changed since October 2023 (a run of 9 points above the mean); its limits
    describe the old process, so assurance against the target is not judged until the limits
    are recalculated from that point."."""
    spc = result.spc
    if spc is None or spc.change is None:
        return None
    change = spc.change
    since = period_label(result.history[change.since].period)
    pattern = CHANGE_PATTERN_WORDS[change.pattern].format(points=count_of(change.points, "point"))
    text = f"The process has changed since {since} ({pattern}); its limits describe the old process"
    if spc.assurance is None:
        return f"{text} until they are recalculated from that point."
    return (
        f"{text}, so assurance against the target is not judged until the limits are "
        "recalculated from that point."
    )


#: Statuses that met the target, and those that did not, for explaining an assurance icon that
#: says otherwise.
_MET = frozenset({Status.GREEN, Status.BLUE})
_MISSED = frozenset({Status.RED, Status.AMBER})


def _status_beside_assurance(result: IndicatorResult) -> str | None:
    """Why a status and a stable process's assurance icon differ, when they do: the status
    judges the current figure, the icon what the process will do figure after figure."""
    spc = result.spc
    if spc is None or spc.assurance is None:
        return None
    label = result.status.label
    if result.status in _MET and spc.assurance is Assurance.FAIL:
        return (
            f"The current figure met the target ({label}), but the process limits say it will "
            "not meet it consistently: most figures from this process miss the target."
        )
    if result.status in _MISSED and spc.assurance is Assurance.PASS:
        return (
            f"The current figure missed the target ({label}), but the process limits say it "
            "will meet it consistently: most figures from this process meet the target."
        )
    return None


def assurance_group(result: IndicatorResult) -> AssuranceGroup:
    if result.spc is None:
        return AssuranceGroup.TOO_FEW_POINTS
    if result.spc.assurance is None:
        return AssuranceGroup.NOT_ASSESSED
    if result.spc.change is not None:
        return AssuranceGroup.PROCESS_CHANGED
    return AssuranceGroup(ASSURANCE_WORDS[result.spc.assurance].group)


def assurance_text(result: IndicatorResult, min_points: int) -> str:
    """The assurance icon's name and meaning, or why there is none; when the process has
    changed, that it is not judged (never the icon's verdict); and why a status that the icon
    contradicts is still right."""
    spc = result.spc
    if spc is None:
        if not result.history:
            return "Not assessed: no figures yet"
        return f"Not assessed: fewer than {min_points} points"
    changed = process_change_text(result)
    if changed is not None and spc.assurance is not None:
        return changed
    if spc.assurance is not None:
        text = ASSURANCE_WORDS[spc.assurance].text
        beside = _status_beside_assurance(result)
        return f"{text}. {beside}" if beside else text
    if result.target is None:
        reason = "Not assessed: no target"
    elif result.indicator.direction is Direction.NONE:
        reason = "Not assessed: no direction of improvement"
    else:
        reason = "Not assessed"
    return f"{reason}. {changed}" if changed else reason


def assurance_label(result: IndicatorResult, min_points: int) -> str:
    """The assurance icon's name alone, for a column to filter by; the whole words where there
    is no icon, where the process has changed and assurance is not judged, or where the status
    beside it needs explaining."""
    spc = result.spc
    if (
        spc is not None
        and spc.assurance is not None
        and spc.change is None
        and _status_beside_assurance(result) is None
    ):
        return ASSURANCE_WORDS[spc.assurance].label
    return assurance_text(result, min_points)


def recent_trend_text(result: IndicatorResult) -> str:
    """Fingertips' recent trend in words: "Increasing and getting better (last 5 points)"."""
    trend = result.recent_trend
    if trend is None:
        return "Not calculated: the figures have no counts or confidence limits"
    if trend.result == CANNOT_BE_CALCULATED:
        return "Cannot be calculated from the last 5 figures"
    if trend.result == NO_SIGNIFICANT_CHANGE:
        return "No significant change (last 5 points)"
    words = trend.result.capitalize()
    if trend.judgement:
        words += f" and {trend.judgement}"
    return f"{words} (last 5 points)"


# -- the icons as pictures ------------------------------------------------------------------------
# Small inline SVGs in the spirit of Making Data Count's icons: blue for improvement or a target
# reliably met, orange for concern or a target reliably missed, purple for a change that is
# neither, grey for common cause or hit and miss; an arrow up or down for a high or low special
# cause. Always beside the words (aria-hidden: the words are what a screen reader reads), so
# neither the picture nor its colour is ever the only signal.

_BLUE, _ORANGE, _PURPLE, _GREY = "#1d70b8", "#f47738", "#4c2c92", "#505a5f"
_UP = '<path d="M12 5.5 17.5 13H14v5.5h-4V13H6.5z" fill="{c}"/>'
_DOWN = '<path d="M12 18.5 17.5 11H14V5.5h-4V11H6.5z" fill="{c}"/>'
_WAVE = (
    '<polyline points="5,13 8,9 11,15 14,9 17,15 19,11" fill="none" stroke="{c}" stroke-width="2"/>'
)
_TICK = '<polyline points="7,12.5 10.5,16 17,8.5" fill="none" stroke="{c}" stroke-width="3"/>'
_CROSS = '<path d="M8 8l8 8M16 8l-8 8" stroke="{c}" stroke-width="3"/>'

_VARIATION_PICTURES = {
    Variation.COMMON_CAUSE: (_GREY, _WAVE),
    Variation.IMPROVEMENT_HIGH: (_BLUE, _UP),
    Variation.IMPROVEMENT_LOW: (_BLUE, _DOWN),
    Variation.CONCERN_HIGH: (_ORANGE, _UP),
    Variation.CONCERN_LOW: (_ORANGE, _DOWN),
    Variation.NEUTRAL_HIGH: (_PURPLE, _UP),
    Variation.NEUTRAL_LOW: (_PURPLE, _DOWN),
}
_ASSURANCE_PICTURES = {
    Assurance.PASS: (_BLUE, _TICK),
    Assurance.FAIL: (_ORANGE, _CROSS),
    Assurance.INCONSISTENT: (_GREY, _WAVE),
}


def _picture(colour: str, inner: str, kind: str) -> str:
    return (
        f'<svg class="mdc-icon mdc-icon--{kind}" width="24" height="24" viewBox="0 0 24 24" '
        'aria-hidden="true" focusable="false">'
        f'<circle cx="12" cy="12" r="10.5" fill="#fff" stroke="{colour}" stroke-width="2.5"/>'
        f"{inner.format(c=colour)}</svg>"
    )


def variation_icon(result: IndicatorResult) -> str | None:
    """The variation icon as inline SVG markup (decorative: the card gives its words)."""
    if result.spc is None:
        return None
    colour, inner = _VARIATION_PICTURES[result.spc.variation]
    return _picture(colour, inner, result.spc.variation.value)


def assurance_icon(result: IndicatorResult) -> str | None:
    """The assurance icon as inline SVG markup, or None where assurance is not assessed or not
    judged (the process has changed since its limits were set)."""
    if result.spc is None or result.spc.assurance is None or result.spc.change is not None:
        return None
    colour, inner = _ASSURANCE_PICTURES[result.spc.assurance]
    return _picture(colour, inner, result.spc.assurance.value)
