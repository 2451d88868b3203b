"""Small builders for the engine's data in tests: every field defaulted, override what matters."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kpiboard.analysis.model import (
    Category,
    Commentary,
    Committee,
    Dataset,
    Direction,
    Indicator,
    NeighbourValue,
    Observation,
    Organisation,
    Settings,
    Target,
    Unit,
)
from kpiboard.analysis.periods import Frequency, Period, parse_period


def period(text: str) -> Period:
    return parse_period(text)


def indicator(ref: str = "1", **overrides: Any) -> Indicator:
    fields: dict[str, Any] = {
        "ref": ref,
        "name": f"Indicator {ref}",
        "unit": Unit.PERCENT,
        "direction": Direction.HIGHER,
        "frequency": Frequency.MONTH,
        "category": Category.TARGETED,
        "committees": ("c",),
        "directorate": "d",
    }
    fields.update(overrides)
    return Indicator(**fields)


def observation(
    label: str, value: str | int | float | None, ref: str = "1", **extra: Any
) -> Observation:
    """An observation; ``value`` None computes it from numerator/denominator as datafiles does."""
    if value is None:
        value_number = Decimal(extra["numerator"]) / Decimal(extra["denominator"]) * 100
    else:
        value_number = Decimal(str(value))
    for key in ("numerator", "denominator", "lower_ci", "upper_ci"):
        if key in extra and extra[key] is not None:
            extra[key] = Decimal(str(extra[key]))
    return Observation(ref=ref, period=period(label), value=value_number, **extra)


def series(start: str, values: list[Any], ref: str = "1") -> list[Observation]:
    """Consecutive observations from ``start`` at its frequency; None leaves a gap."""
    first = period(start)
    return [
        Observation(ref=ref, period=first.shift(i), value=Decimal(str(v)))
        for i, v in enumerate(values)
        if v is not None
    ]


def target(label: str, value: str | int, ref: str = "1") -> Target:
    return Target(ref=ref, start=period(label), value=Decimal(str(value)))


def neighbour(
    label: str, area: str, value: str | int | None, ref: str = "1", **extra: Any
) -> NeighbourValue:
    return NeighbourValue(
        ref=ref,
        period=period(label),
        area_code=area,
        area_name=area,
        value=None if value is None else Decimal(str(value)),
        **{k: Decimal(str(v)) for k, v in extra.items()},
    )


def dataset(
    indicators: Sequence[Indicator],
    *,
    observations: Sequence[Observation] = (),
    targets: Sequence[Target] = (),
    neighbours: Sequence[NeighbourValue] = (),
    commentary: Sequence[Commentary] = (),
    settings: Settings | None = None,
    area_code: str | None = "E10000003",
) -> Dataset:
    organisation = Organisation(
        name="Test Council",
        area_code=area_code,
        settings=settings or Settings(),
        committees=(Committee("c", "Committee"), Committee("other", "Other committee")),
    )
    return Dataset.build(
        organisation,
        list(indicators),
        list(targets),
        list(observations),
        list(neighbours),
        list(commentary),
    )
