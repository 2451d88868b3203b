"""Stand-ins and awkward text for the Word and Excel tests, which need no real charts."""

from __future__ import annotations

import struct
import zlib

import builders as b
from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import Commentary, Observation
from kpiboard.analysis.periods import parse_period
from kpiboard.reports.model import Card, Report, build_report

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


def stub_png(card: Card) -> bytes | None:
    return PNG if card.result.history else None


def stub_caption(card: Card) -> str:
    return f"Line chart of indicator {card.ref}"


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
