"""vl-convert started with its own Liberation Sans in memory: the same charts, the same process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from kpiboard.reports.vega_engine import font_configuration, font_folders

# Latin text the built-in font has, and Georgian, which it has not: drawn from another font.
SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "title": "Café – Ŵales, ქართული",
    "data": {"values": [{"a": "Ynys Môn", "b": 3}, {"a": "Ceredigion", "b": 5}]},
    "mark": "bar",
    "encoding": {
        "x": {"field": "a", "type": "nominal"},
        "y": {"field": "b", "type": "quantitative"},
    },
    "config": {"font": "Arial, 'Liberation Sans', Helvetica, sans-serif"},
}

DRAW = """
import hashlib, json, os, sys
import vl_convert
if sys.argv[1] == "kpiboard":
    from kpiboard.reports import vega_engine
    vega_engine.start()
svg = vl_convert.vegalite_to_svg(sys.argv[2], allowed_base_urls=[])
png = vl_convert.svg_to_png(svg, scale=1.5)
print(json.dumps({
    "svg": hashlib.sha256(svg.encode()).hexdigest(),
    "png": hashlib.sha256(png).hexdigest(),
    "FONTCONFIG_FILE": os.environ.get("FONTCONFIG_FILE"),
}))
"""


def _draw(how: str, environment: dict[str, str]) -> dict[str, str | None]:
    done = subprocess.run(
        [sys.executable, "-c", DRAW, how, json.dumps(SPEC)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_charts_are_byte_for_byte_those_vl_convert_draws_with_the_system_fonts() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    plain = _draw("plain", environment)
    started = _draw("kpiboard", environment)
    assert started["svg"] == plain["svg"]
    assert started["png"] == plain["png"]
    # ...and the rest of the process (WeasyPrint's fontconfig) never sees the configuration.
    assert started["FONTCONFIG_FILE"] is None


def test_a_configuration_file_set_by_the_user_is_put_back(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.conf"
    theirs.write_text(font_configuration([]), encoding="utf-8")
    environment = {**os.environ, "FONTCONFIG_FILE": str(theirs)}
    assert _draw("kpiboard", environment)["FONTCONFIG_FILE"] == str(theirs)


def _font(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not really a font")


def test_folders_holding_liberation_sans_are_replaced_by_their_other_subfolders(
    tmp_path: Path,
) -> None:
    root = tmp_path / "fonts"
    _font(root / "truetype/dejavu/DejaVuSans.ttf")
    _font(root / "truetype/liberation2/LiberationSans-Regular.ttf")
    _font(root / "truetype/liberation2/LiberationMono-Regular.ttf")
    _font(root / "opentype/noto/NotoSansGeorgian-Regular.otf")
    _font(root / "truetype/liberation/Liberation-Sans-Bold.TTF")  # another spelling
    (root / "empty").mkdir()
    (root / "docs").mkdir()
    (root / "docs/README").write_text("no fonts here")
    assert font_folders([root, tmp_path / "missing"]) == [
        root / "opentype",
        root / "truetype/dejavu",
    ]


def test_a_tree_without_liberation_sans_is_one_folder(tmp_path: Path) -> None:
    _font(tmp_path / "a/b/DejaVuSans.ttf")
    _font(tmp_path / "c/Other.ttc")
    assert font_folders([tmp_path]) == [tmp_path]


@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(["a", "b", "c"]), min_size=0, max_size=3),
            st.sampled_from(["LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Other.otf"]),
        ),
        max_size=8,
    )
)
def test_every_font_but_liberation_sans_stays_and_liberation_sans_never_does(
    files: list[tuple[list[str], str]],
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for parts, name in files:
            _font(root.joinpath(*parts, name))
        kept = font_folders([root])
        seen = {path for found in kept for path in found.rglob("*") if path.is_file()}
        assert not [path for path in seen if path.name.startswith("LiberationSans")]
        for path in root.rglob("*.*"):
            # A font is left out only when its folder holds Liberation Sans, in it or below.
            if path not in seen:
                assert any(p.name.startswith("LiberationSans") for p in path.parent.rglob("*"))


def test_the_configuration_names_each_folder_escaped(tmp_path: Path) -> None:
    folders = [tmp_path / "fonts & more", tmp_path / "<odd>"]
    root = ET.fromstring(font_configuration(folders).split("\n", 2)[2])
    assert [d.text for d in root.iter("dir")] == [str(f) for f in folders]


DRAW_A_PDF_MEANWHILE = """
import sys, tempfile, threading
from pathlib import Path
import vl_convert
from kpiboard.reports import vega_engine
from kpiboard.reports.pdf import render_pdf

real = vl_convert.vegalite_to_svg
out = Path(tempfile.mkdtemp()) / "report.pdf"
page = '<html lang="en"><title>t</title><p style="font-family: Arial">Performance</p></html>'
drawing = threading.Thread(target=render_pdf, args=(page, out))

def converting(*args, **kwargs):
    # Another thread draws a PDF while the engine starts with the charts' fonts configured.
    if not drawing.is_alive() and not out.exists():
        drawing.start()
        drawing.join(0.5)  # long enough for it to load its fonts, were it let through
    return real(*args, **kwargs)

vl_convert.vegalite_to_svg = converting
vega_engine.start()
drawing.join()
sys.stdout.buffer.write(out.read_bytes())
"""


def test_a_pdf_drawn_while_the_engine_starts_keeps_the_system_s_fonts() -> None:
    """WeasyPrint finds Arial's stand-in, Liberation Sans, through fontconfig, reading
    FONTCONFIG_FILE for each PDF; the charts' configuration leaves Liberation Sans out. A PDF
    drawn in another thread while the engine starts waits for the variable to be put back."""
    environment = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    done = subprocess.run(
        [sys.executable, "-c", DRAW_A_PDF_MEANWHILE],
        capture_output=True,
        check=True,
        env=environment,
    )
    fonts = _font_names(done.stdout)
    assert fonts, "the PDF names no font"
    assert all("Liberation" in name for name in fonts), fonts


def _font_names(pdf: bytes) -> list[str]:
    """The base font names a PDF's pages use, read back with pypdf."""
    names = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        fonts: Any = resources.get_object()["/Font"].get_object()
        names += [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    return names
