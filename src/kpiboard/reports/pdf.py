"""The report as a tagged PDF (PDF/UA-1) by WeasyPrint, from the same HTML as the web page.

The document title comes from the HTML ``<title>`` and the language from ``<html lang>``;
WeasyPrint's ``pdf/ua-1`` variant writes the structure tags a screen reader needs, asks the
viewer to show the title (``DisplayDocTitle``), and tags each table cell with the header cells
that describe it (``Headers``). Two things are done here, as the PDF is finished: each header
cell gets its ``Scope`` (Column in a table's head, Row elsewhere, as the HTML's ``scope`` says),
which checkers look for where a table is read by position (Matterhorn 15-003); and the page
margins' running title and page number, which WeasyPrint tags but leaves out of the structure
tree (for PDF 1.7), become pagination artifacts, as PDF/UA asks of them.
The charts, RGB PNGs (:mod:`kpiboard.reports.png`), go into the PDF as they are, where
WeasyPrint would decode and compress each again (:func:`_embed_rgb_pngs_as_they_are`).
docs/accessibility.md lists the PDF/UA conditions the tests check.
"""

from __future__ import annotations

import functools
import importlib
import io
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kpiboard.reports.png import idat_data
from kpiboard.reports.vega_engine import FONTCONFIG_LOCK

__all__ = ["PDF_VARIANT", "PICTURE_SCHEME", "render_pdf", "start_pdf"]

PDF_VARIANT = "pdf/ua-1"


def start_pdf() -> None:
    """Import WeasyPrint (about half a second) and make ready what every PDF uses: a pack calls
    this while its charts are drawn, so that :func:`render_pdf` starts at once."""
    _import_weasyprint()
    _embed_rgb_pngs_as_they_are()


_IMPORT_LOCK = threading.Lock()


def _import_weasyprint() -> None:
    """Import WeasyPrint with its libraries looked up in the dynamic linker's cache alone.

    WeasyPrint (as of 70) opens each of its libraries (Pango, HarfBuzz, fontconfig...) by
    trying a list of names, the Windows and macOS ones first; cffi hands a bare name to
    ``ctypes.util.find_library``, which on Linux asks ``ldconfig -p`` and then, for a name it
    does not know, runs gcc and ld to look for it: 16 of the 22 names tried are never found,
    and their search took 0.19 s of WeasyPrint's 0.51 s import (docs/performance.md, issue 12).
    While WeasyPrint is imported, a name is looked up in ldconfig's cache only, and a name not
    there lets WeasyPrint go on to the next, down to the library's file name, which the dynamic
    linker opens as it would have (the same 77 shared objects are loaded). Should a library be
    missing from that cache and beyond the linker's reach, WeasyPrint is imported again as it
    is; so it is on other platforms, and on Pythons without that lookup."""
    if "weasyprint" in sys.modules:
        return
    import ctypes.util

    in_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)
    with _IMPORT_LOCK:
        everywhere = ctypes.util.find_library
        if sys.platform.startswith("linux") and in_cache is not None:
            ctypes.util.find_library = functools.cache(in_cache)
        try:
            importlib.import_module("weasyprint")
        except OSError:  # a library only gcc or ld could find: look for it as WeasyPrint would
            ctypes.util.find_library = everywhere
            importlib.import_module("weasyprint")
        finally:
            ctypes.util.find_library = everywhere


#: The scheme of a picture's address in the HTML given with ``pictures``: "kpiboard-chart:3".
PICTURE_SCHEME = "kpiboard-chart"


def render_pdf(
    html: str, out: Path, pictures: Mapping[str, Callable[[], bytes]] | None = None
) -> Path:
    """Write ``html`` (a complete document, laid out for print) to ``out`` as a tagged PDF.

    ``pictures`` gives the PNG of each ``<img src="kpiboard-chart:...">`` in ``html`` by its
    address, when WeasyPrint asks for it: WeasyPrint reads the document and works out its styles
    before it needs the first picture, so a pack lays its PDF out while its charts are drawn.
    A picture that cannot be had stops the PDF with that error (WeasyPrint would leave it out
    with a warning)."""
    _import_weasyprint()
    from weasyprint import HTML  # imported here: WeasyPrint is slow to import
    from weasyprint.text.fonts import FontConfiguration

    _embed_rgb_pngs_as_they_are()
    with FONTCONFIG_LOCK:  # never while the charts' font configuration is in the environment
        fonts = FontConfiguration()
    failures: list[Exception] = []
    fetcher = None if pictures is None else _picture_fetcher(pictures, failures)
    document = HTML(string=html, base_url=str(out.parent), url_fetcher=fetcher)
    document.write_pdf(out, pdf_variant=PDF_VARIANT, font_config=fonts, finisher=_finish)
    if failures:
        out.unlink(missing_ok=True)
        raise failures[0]
    return out


def _picture_fetcher(pictures: Mapping[str, Callable[[], bytes]], failures: list[Exception]) -> Any:
    """WeasyPrint's URL fetcher, answering the addresses in ``pictures`` with their PNG (and
    recording in ``failures`` what went wrong getting one) and any other as it would."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Pictures(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            picture = pictures.get(url)
            if picture is None:
                return super().fetch(url, headers)
            try:
                png = picture()
            except Exception as error:
                failures.append(error)
                raise
            return URLFetcherResponse(url, png, headers={"Content-Type": "image/png"})

    return Pictures()


_PATCH_LOCK = threading.Lock()


def _embed_rgb_pngs_as_they_are() -> None:
    """Have WeasyPrint put an 8-bit RGB PNG's compressed rows into the PDF unchanged.

    For a PNG without alpha, WeasyPrint (``RasterImage.get_x_object``, as of 70) decodes the
    picture with Pillow and encodes it again as PNG only to take the IDAT data of the result:
    for an 8-bit, non-interlaced RGB PNG that data is the file's own IDAT data, ready as it is
    for the image's ``/FlateDecode`` with ``/Predictor 15``. Any other picture (RGBA, a palette,
    16 bits, interlaced, and the alpha masks WeasyPrint makes) goes through WeasyPrint's own
    code. Installed once per process; if a later WeasyPrint has no such method, nothing is
    changed."""
    from weasyprint.images import RasterImage

    with _PATCH_LOCK:
        current = RasterImage.__dict__.get("_get_png_data")
        if not isinstance(current, staticmethod) or getattr(current.__func__, "kpiboard", False):
            return
        encode = current.__func__

        def png_data(pillow_image: Any) -> bytes:
            source = getattr(pillow_image, "fp", None)
            if getattr(pillow_image, "format", None) == "PNG" and isinstance(source, io.BytesIO):
                data = idat_data(source.getvalue())
                if data is not None:
                    return data
            return encode(pillow_image)  # type: ignore[no-any-return]

        png_data.kpiboard = True  # type: ignore[attr-defined]
        RasterImage._get_png_data = staticmethod(png_data)


def _finish(document: Any, pdf: Any) -> None:
    _scope_header_cells(document, pdf)
    _margins_as_artifacts(pdf)


def _scope_header_cells(_document: Any, pdf: Any) -> None:
    """Give every TH structure element a Scope: Column under a THead, Row otherwise (the
    report's templates put column headers in ``<thead>`` and row headers, ``scope="row"``, in
    the body and foot)."""
    from pydyf import Dictionary  # type: ignore[import-untyped]  # WeasyPrint's PDF writer

    objects = pdf.objects

    def parent(element: Any) -> Any:
        reference = element.get("P")
        if not isinstance(reference, bytes):
            return None
        return objects[int(reference.split()[0])]

    for element in objects:
        if not isinstance(element, dict) or element.get("S") != "/TH":
            continue
        row = parent(element)
        group = parent(row) if row is not None else None
        in_head = group is not None and group.get("S") == "/THead"
        attributes = element.get("A")
        if attributes is None:  # WeasyPrint gives every cell one: never missing as of 70
            attributes = element["A"] = Dictionary({"O": "/Table"})
        attributes["Scope"] = "/Column" if in_head else "/Row"


def _margins_as_artifacts(pdf: Any) -> None:
    """Mark content whose structure element is not in the structure tree (WeasyPrint's page
    margin boxes: the running title and "Page n of m") as a pagination artifact: its marked
    content becomes ``/Artifact <</Type /Pagination>>`` and its parent tree entry null."""
    from pydyf import Dictionary

    objects = pdf.objects

    def resolve(reference: Any) -> Any:
        return objects[int(reference.split()[0])] if isinstance(reference, bytes) else reference

    root = resolve(pdf.catalog["StructTreeRoot"])
    reachable: set[int] = set()
    stack = [root]
    while stack:
        for kid in stack.pop().get("K", ()):
            if isinstance(kid, bytes):
                element = resolve(kid)
                if element.number not in reachable:
                    reachable.add(element.number)
                    stack.append(element)
    nums = resolve(root["ParentTree"])["Nums"]
    for key, elements in zip(nums[::2], nums[1::2], strict=True):
        if not isinstance(elements, list):
            continue  # an annotation's entry, not a page's
        orphans = {
            mcid
            for mcid, reference in enumerate(elements)
            if isinstance(reference, bytes) and int(reference.split()[0]) not in reachable
        }
        if not orphans:
            continue
        content = resolve(resolve(pdf.page_references[key])["Contents"]).stream
        for index, item in enumerate(content):
            if isinstance(item, dict) and item.get("MCID") in orphans and index > 0:
                content[index - 1] = "/Artifact"
                content[index] = Dictionary({"Type": "/Pagination"})
        for mcid in orphans:
            elements[mcid] = b"null"
