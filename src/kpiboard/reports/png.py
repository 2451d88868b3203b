"""The charts' PNGs as 8-bit RGB, and the compressed pixels of such a PNG as a PDF embeds them.

vl-convert rasterises a chart as RGBA, although every pixel is opaque (the charts have a white
background). As RGB the same picture takes about a third of the bytes, and the PDF can carry it
as it is: a PDF image holds no alpha, so for an RGBA PNG WeasyPrint decodes the picture, splits
off the alpha channel and compresses both again (about 22 ms a chart, on the PDF's critical
path), where an RGB PNG's compressed rows (its IDAT data, PNG-filtered, which is what a PDF's
``FlateDecode`` filter with ``Predictor 15`` reads) go into the PDF unchanged.
"""

from __future__ import annotations

import io
import struct
import zlib

__all__ = ["idat_data", "opaque_png"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: zlib level of the RGB pixels: level 3 is as quick as 1 and a tenth smaller; 6 costs half as
#: much time again for a fifth fewer bytes.
LEVEL = 3
_RGB, _RGBA = 2, 6  # PNG colour types


def opaque_png(png: bytes) -> bytes:
    """``png`` as an 8-bit RGB PNG when it is RGBA with every pixel opaque (the same pixels, and
    the same physical size), else ``png`` itself."""
    header = _header(png)
    if header is None or header[2:] != (8, _RGBA, 0, 0, 0):
        return png
    from PIL import Image  # imported here: only the processes that draw PNGs need it

    image = Image.open(io.BytesIO(png))
    if image.mode != "RGBA" or image.getchannel("A").getextrema() != (255, 255):
        return png
    width, height = image.size
    pixels = image.convert("RGB").tobytes()
    stride = width * 3
    # Each row behind PNG filter type 0 (none): filtering in Python would cost more than the
    # bytes it saves; the charts' long runs of one colour compress well without it.
    rows = b"".join(b"\0" + pixels[at : at + stride] for at in range(0, len(pixels), stride))
    kept = b"".join(
        _chunk(kind, data) for kind, data in _chunks(png) if kind == b"pHYs"
    )  # the picture's physical size (dots an inch), as vl-convert wrote it
    return b"".join(
        (
            SIGNATURE,
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, _RGB, 0, 0, 0)),
            kept,
            _chunk(b"IDAT", zlib.compress(rows, LEVEL)),
            _chunk(b"IEND", b""),
        )
    )


def idat_data(png: bytes) -> bytes | None:
    """The compressed, PNG-filtered rows of an 8-bit, non-interlaced RGB PNG, which a PDF image
    with ``/FlateDecode`` and ``/Predictor 15`` (3 colours, 8 bits) reads as they are; None for
    any other PNG."""
    header = _header(png)
    if header is None or header[2:] != (8, _RGB, 0, 0, 0):
        return None
    return b"".join(data for kind, data in _chunks(png) if kind == b"IDAT")


def _header(png: bytes) -> tuple[int, int, int, int, int, int, int] | None:
    """IHDR's width, height, bit depth, colour type, compression, filter and interlace."""
    if len(png) < 33 or not png.startswith(SIGNATURE) or png[12:16] != b"IHDR":
        return None
    return struct.unpack(">IIBBBBB", png[16:29])


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    found = []
    at = len(SIGNATURE)
    while at + 8 <= len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        found.append((kind, png[at + 8 : at + 8 + length]))
        at += 12 + length
        if kind == b"IEND":
            break
    return found


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
