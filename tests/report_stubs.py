"""Stand-ins and awkward text for the Word and Excel tests, which need no real charts."""

from __future__ import annotations

import struct
import zlib

from kpiboard.reports.model import Card

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
