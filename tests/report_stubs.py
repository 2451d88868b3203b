"""Stand-ins and awkward text for the Word and Excel tests, which need no real charts."""

from __future__ import annotations

import struct
import zlib

import builders as b
from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import Category, Commentary, Direction, Observation, Unit
from kpiboard.analysis.periods import parse_period
from kpiboard.reports.model import Card, Report, build_report
from kpiboard.reports.rendering import RenderedChart

NON_ASCII = "Café ñ — Ŵ"
LONG = "Long commentary. " * 1200  # 20,400 characters


def png(width: int = 4, height: int = 2) -> bytes:
    """A small valid PNG (white), standing in for a chart."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    rows = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()


def stub_charts(card: Card) -> tuple[RenderedChart, ...]:
    """A small PNG for each chart the card has, captioned "Line chart of indicator 182",
    "Control chart of indicator 182" and "Neighbour chart of indicator 182"."""
    kinds = [
        ("history", "Line chart", bool(card.result.history)),
        ("spc", "Control chart", card.result.spc is not None),
        ("neighbours", "Neighbour chart", card.result.neighbours is not None),
    ]
    return tuple(
        RenderedChart(kind, None, PNG, f"{words} of indicator {card.ref}", [], [])
        for kind, words, present in kinds
        if present
    )


def awkward_report(
    commentary: dict[str, str], names: dict[str, str] | None = None, note: str = ""
) -> Report:
    """A report of indicators named and commented as given; indicator "empty" has no data."""
    names = names or {}
    refs = list(commentary)
    indicators = [
        b.indicator(ref, name=names.get(ref, f"Indicator {ref}"), description=names.get(ref, ""))
        for ref in refs
    ]
    indicators.append(b.indicator("empty", name="No figures yet"))
    observations = [
        Observation(o.ref, o.period, o.value, note=note)
        for ref in refs
        for o in b.series("2023-04", [70 + i % 5 for i in range(18)], ref=ref)
    ]
    quarter = parse_period("2024/25 Q2")
    dataset = b.dataset(
        indicators,
        observations=observations,
        targets=[b.target("2023-04", 72, ref) for ref in refs],
        commentary=[Commentary(ref, quarter, text) for ref, text in commentary.items()],
    )
    return build_report(evaluate(dataset, quarter, "c"))


#: Fifteen months rising by one: mean 8, every moving range 1, so the process limits are
#: 8 -/+ 2.66 = 5.34 and 10.66. 1 to 5 are below the lower limit and 11 to 15 above the upper;
#: 6 to 10 are a trend (seven or more rising). The last point is high.
RISING = list(range(1, 16))
#: Fifteen months alternating 10, 12, ...: mean 164 / 15 = 10.93, moving ranges 2, limits
#: 5.61 and 16.25, near limits 7.39 and 14.48; no rule flags any point: common cause.
ALTERNATING = [10 + 2 * (i % 2) for i in range(15)]


def spc_kinds_report() -> Report:
    """Six indicators, one of each kind the control-chart summary counts, worked by hand:

    ====  =========  =============  =======  ===============================================
    ref   direction  series         target   variation / assurance
    ====  =========  =============  =======  ===============================================
    up    higher     RISING         3        improvement (high) / pass (3 < 5.34)
    down  lower      RISING         8        concern (high) / hit and miss (5.34 < 8 < 10.66)
    none  none       RISING         8        neutral (high) / not assessed (no direction)
    flat  higher     ALTERNATING    30       common cause / fail (30 > 16.25)
    free  higher     ALTERNATING    none     common cause / not assessed (no target)
    new   higher     10 months      8        too few points / too few points
    ====  =========  =============  =======  ===============================================
    """
    kinds = [
        ("up", "higher", RISING, 3),
        ("down", "lower", RISING, 8),
        ("none", "none", RISING, 8),
        ("flat", "higher", ALTERNATING, 30),
        ("free", "higher", ALTERNATING, None),
        ("new", "higher", RISING[:10], 8),
    ]
    indicators = [
        b.indicator(
            ref,
            name=f"Kind {ref}",
            direction=Direction(direction),
            unit=Unit.NUMBER,
            decimals=2,
            category=Category.CONTEXTUAL if direction == "none" else Category.TARGETED,
        )
        for ref, direction, _, _ in kinds
    ]
    # From July 2023: fifteen months end in September 2024; "new" ends in April 2024.
    observations = [o for ref, _, values, _ in kinds for o in b.series("2023-07", values, ref=ref)]
    targets = [b.target("2023-04", value, ref) for ref, _, _, value in kinds if value is not None]
    dataset = b.dataset(indicators, observations=observations, targets=targets)
    return build_report(evaluate(dataset, parse_period("2024/25 Q2"), "c"))
