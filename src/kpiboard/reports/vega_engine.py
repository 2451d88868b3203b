"""Start vl-convert's Vega engine so that it draws text from fonts held in memory.

vl-convert carries its own copy of Liberation Sans, the charts' font, in memory. It also loads the
system's fonts, and where the system has Liberation Sans too (Debian's ``fonts-liberation2``,
which WeasyPrint needs for the PDF's Arial) its font database picks the system's copy, a file.
For a font held as a file the database opens and memory-maps the file again for every glyph it
measures or draws: 865 ``openat`` + ``mmap`` + ``munmap`` for one chart's PNG, and a third of the
time a chart takes. Both copies are the same font: the charts come out byte for byte the same from
either (a test compares them), so :func:`start` lets vl-convert see the system's fonts except the
folders that hold Liberation Sans. Other fonts stay available for characters Liberation Sans does
not have.

vl-convert reads its fonts once, at its first conversion to SVG and again at its first
conversion of an SVG to PNG, finding the system's through fontconfig's configuration file.
:func:`start` makes those first conversions with ``FONTCONFIG_FILE`` naming a configuration
written for it, and puts the variable back at once. WeasyPrint reads the variable too, each time
it loads fontconfig's configuration for a PDF: :data:`FONTCONFIG_LOCK` is held while the
variable names the charts' configuration, and :func:`kpiboard.reports.pdf.render_pdf` loads the
PDF's under it, so a PDF drawn in another thread at that moment still finds the system's fonts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from kpiboard.reports.scratch import scratch_folder

__all__ = ["FONTCONFIG_LOCK", "FONT_ROOTS", "font_configuration", "font_folders", "start"]

#: Where fontdb (vl-convert's font database) looks for the system's fonts on Linux.
FONT_ROOTS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local/share/fonts",
)
_FONT_FILES = (".ttf", ".otf", ".ttc", ".otc")
#: vl-convert's own copy of this family is the one to use.
_IN_MEMORY = "liberationsans"
#: Anything to convert: vl-convert reads its fonts at its first conversions, whatever they are.
_FIRST_CHART = '{"mark": "text", "encoding": {"text": {"value": "kpiboard"}}}'

#: Held while ``FONTCONFIG_FILE`` names the charts' font configuration: take it to load
#: fontconfig's configuration (as WeasyPrint does for each PDF) from the real environment.
FONTCONFIG_LOCK = threading.Lock()

_started = False
_lock = threading.Lock()


def start() -> None:
    """Start the Vega engine, once per process, with the fonts described above."""
    global _started
    if _started:
        return
    with _lock:
        if _started:
            return
        # Imported here: pdf.py imports this module for its lock, and a process that has
        # imported vl-convert draws its charts itself (rendering._engine_may_be_running).
        import vl_convert

        with scratch_folder("kpiboard-fonts-") as folder, FONTCONFIG_LOCK:
            configuration = Path(folder) / "fonts.conf"
            # Never an empty list: with no folder at all, fontdb would load every system font.
            folders = font_folders(FONT_ROOTS) or [Path(folder)]
            configuration.write_text(font_configuration(folders), encoding="utf-8")
            before = os.environ.get("FONTCONFIG_FILE")
            os.environ["FONTCONFIG_FILE"] = str(configuration)
            try:
                # The SVG and the PNG conversions each read the fonts at their first use.
                svg = vl_convert.vegalite_to_svg(_FIRST_CHART, allowed_base_urls=[])
                vl_convert.svg_to_png(svg)
            finally:
                if before is None:
                    del os.environ["FONTCONFIG_FILE"]
                else:
                    os.environ["FONTCONFIG_FILE"] = before
        _started = True


def font_folders(roots: Iterable[Path]) -> list[Path]:
    """The fewest folders under ``roots`` whose fonts include no Liberation Sans file.

    fontdb reads a folder with everything below it, so a folder holding Liberation Sans anywhere
    below is replaced by those of its subfolders that do not (the font files directly in it are
    left out with it).
    """
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found.extend(_without_liberation_sans(root))
    return found


def _without_liberation_sans(folder: Path) -> list[Path]:
    if not _holds_liberation_sans(folder):
        return [folder] if _holds_fonts(folder) else []
    return [
        kept
        for child in sorted(folder.iterdir())
        if child.is_dir() and not child.is_symlink()
        for kept in _without_liberation_sans(child)
    ]


def _font_files(folder: Path) -> Iterable[Path]:
    for parent, _, names in os.walk(folder):
        for name in names:
            if name.lower().endswith(_FONT_FILES):
                yield Path(parent, name)


def _holds_fonts(folder: Path) -> bool:
    return any(True for _ in _font_files(folder))


def _holds_liberation_sans(folder: Path) -> bool:
    return any(
        path.name.lower().replace("-", "").startswith(_IN_MEMORY) for path in _font_files(folder)
    )


def font_configuration(folders: Sequence[Path]) -> str:
    """A fontconfig configuration file naming ``folders`` as the places fonts are."""
    lines = "".join(f"  <dir>{escape(str(folder))}</dir>\n" for folder in folders)
    return (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig>\n{lines}</fontconfig>\n"
    )
