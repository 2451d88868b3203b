"""Charts drawn here as SVG (HTML, PDF) or PNG (Word, Excel) with vl-convert.

vl-convert runs Vega in-process and is not allowed to fetch anything. The browser draws the same
Vega-Lite specs (:mod:`kpiboard.reports.charts`) itself with vega-embed.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from collections import OrderedDict
from typing import Any

import vl_convert

from kpiboard.reports import vega_engine
from kpiboard.reports.chart_parts import SCHEMA_VERSION

__all__ = ["render_png", "render_svg"]


# -- rendering ---------------------------------------------------------------------------------
def render_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG element for inline use, labelled for assistive technology.

    vl-convert writes no role or label on the root element, so ``role="img"``, an
    ``aria-label`` and a ``<title>`` (the spec's description, else its title) are added here.
    vl-convert escapes the text it draws; the label is escaped here.
    """
    svg = _vega_svg(spec)
    label = html.escape(_label(spec), quote=True)

    def labelled(root: re.Match[str]) -> str:
        return f'{root.group(1)} role="img" aria-label="{label}"><title>{label}</title>'

    svg, found = _SVG_ROOT.subn(labelled, svg, count=1)
    if not found:
        raise ValueError(f"vl-convert returned something other than an SVG: {svg[:80]!r}")
    return svg


def render_png(spec: dict[str, Any], scale: float = 2) -> bytes:
    """The chart as a PNG image at ``scale`` times its size in CSS pixels.

    Rasterised from the SVG, which is byte for byte what vl-convert's own PNG export gives, so a
    chart drawn as SVG for the HTML and as PNG for Word and Excel runs Vega once.
    """
    return bytes(vl_convert.svg_to_png(_vega_svg(spec), scale=scale))


#: Vega's SVG of the latest charts drawn, by a digest of the spec (about 35 kB each).
_SVG_CACHE: OrderedDict[bytes, str] = OrderedDict()
_SVG_CACHE_SIZE = 256
_SVG_CACHE_LOCK = threading.Lock()


def _vega_svg(spec: dict[str, Any]) -> str:
    """Vega's SVG of a spec, without tooltips (a picture cannot show them); nothing is fetched."""
    spec_json = json.dumps(_without_tooltips(spec), sort_keys=True, separators=(",", ":"))
    key = hashlib.blake2b(spec_json.encode(), digest_size=16).digest()
    with _SVG_CACHE_LOCK:
        if (svg := _SVG_CACHE.get(key)) is not None:
            _SVG_CACHE.move_to_end(key)
            return svg
    vega_engine.start()
    svg = vl_convert.vegalite_to_svg(spec_json, vl_version=_VL_VERSION, allowed_base_urls=[])
    with _SVG_CACHE_LOCK:
        _SVG_CACHE[key] = svg
        while len(_SVG_CACHE) > _SVG_CACHE_SIZE:
            _SVG_CACHE.popitem(last=False)
    return svg


def _without_tooltips(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec without its layers' tooltips (a shallow copy): Vega draws it a tenth faster."""
    layers = spec.get("layer")
    if not isinstance(layers, list):
        return spec
    bare = []
    for layer in layers:
        encoding = layer.get("encoding") if isinstance(layer, dict) else None
        if isinstance(encoding, dict) and "tooltip" in encoding:
            layer = {**layer, "encoding": {k: v for k, v in encoding.items() if k != "tooltip"}}
        bare.append(layer)
    return {**spec, "layer": bare}


_SVG_ROOT = re.compile(r"(<svg\b[^>]*?)\s*>")


def _vl_version() -> str | None:
    """The Vega-Lite version the specs are written for, when vl-convert has it (else its own)."""
    major_minor = ".".join(SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vl_convert.get_vegalite_versions() else None


_VL_VERSION = _vl_version()


def _label(spec: dict[str, Any]) -> str:
    description = spec.get("description")
    if isinstance(description, str) and description.strip():
        return description
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(line) for line in title)
    return str(title) if title else "Chart"
