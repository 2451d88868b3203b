"""The charts' PNGs as RGB (the same pixels), embedded in the PDF as they are (issue 12's speed)."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from kpiboard.reports.pack import PackResult
from kpiboard.reports.pdf import render_pdf
from kpiboard.reports.png import idat_data, opaque_png


def png_of(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(144, 144))
    return out.getvalue()


def chart_like(alpha: int = 255) -> Image.Image:
    image = Image.new("RGBA", (61, 23), (255, 255, 255, alpha))
    for x in range(61):
        image.putpixel((x, x % 23), (0, 114, 178, alpha))
    return image


def test_an_opaque_rgba_png_becomes_rgb_with_the_same_pixels_and_size() -> None:
    original = png_of(chart_like())
    rgb = opaque_png(original)
    assert rgb != original
    before, after = Image.open(io.BytesIO(original)), Image.open(io.BytesIO(rgb))
    assert after.mode == "RGB"
    assert after.size == before.size
    assert after.tobytes() == before.convert("RGB").tobytes()
    assert after.info["dpi"] == before.info["dpi"]  # the physical size is kept
    assert idat_data(rgb) is not None


def test_a_png_with_any_transparency_or_not_rgba_is_left_as_it_is() -> None:
    see_through = png_of(chart_like(alpha=254))
    assert opaque_png(see_through) == see_through
    grey = png_of(chart_like().convert("L"))
    assert opaque_png(grey) == grey
    assert opaque_png(b"not a png") == b"not a png"
    assert idat_data(see_through) is None  # RGBA: WeasyPrint's own code handles it


def test_the_idat_data_is_the_pictures_filtered_rows() -> None:
    rgb = opaque_png(png_of(chart_like()))
    rows = zlib.decompress(idat_data(rgb) or b"")
    assert len(rows) == 23 * (1 + 61 * 3)


def test_the_pdf_embeds_an_rgb_chart_unchanged(tmp_path: Path) -> None:
    """An RGB PNG's compressed rows are the PDF image's stream, byte for byte, and no alpha mask
    is added (WeasyPrint alone decodes and compresses the picture again)."""
    import base64

    rgb = opaque_png(png_of(chart_like()))
    uri = "data:image/png;base64," + base64.b64encode(rgb).decode("ascii")
    html = f'<html lang="en-GB"><title>t</title><body><img src="{uri}" alt="A chart"></body></html>'
    pdf = pikepdf.open(render_pdf(html, tmp_path / "one.pdf"))
    images = [
        o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
    ]
    assert len(images) == 1
    assert "/SMask" not in images[0]
    assert images[0].read_raw_bytes() == idat_data(rgb)
    shown = pikepdf.PdfImage(images[0]).as_pil_image()
    assert shown.tobytes() == Image.open(io.BytesIO(rgb)).tobytes()


def test_the_packs_pdf_charts_carry_no_alpha_masks(demo_pack: PackResult) -> None:
    pdf = pikepdf.open(demo_pack.files["pdf"])
    images = [
        o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
    ]
    assert len(images) >= 20
    assert not [image for image in images if "/SMask" in image]


PICTURE_PAGE = (
    '<html lang="en-GB"><title>t</title><body>'
    '<p>Before the chart</p><img src="kpiboard-chart:0" alt="A chart"></body></html>'
)


def test_the_pdf_asks_for_each_picture_by_its_address(tmp_path: Path) -> None:
    """The pack lays its PDF out while the charts are drawn: a picture is asked for when
    WeasyPrint needs it, and goes into the PDF as drawn."""
    rgb = opaque_png(png_of(chart_like()))
    asked: list[str] = []

    def picture() -> bytes:
        asked.append("kpiboard-chart:0")
        return rgb

    pdf = pikepdf.open(
        render_pdf(PICTURE_PAGE, tmp_path / "p.pdf", pictures={"kpiboard-chart:0": picture})
    )
    assert asked == ["kpiboard-chart:0"]
    images = [
        o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
    ]
    assert [image.read_raw_bytes() for image in images] == [idat_data(rgb)]


def test_a_picture_that_cannot_be_had_stops_the_pdf(tmp_path: Path) -> None:
    """WeasyPrint would leave the picture out with a warning: the pack fails instead, as it did
    when a chart could not be drawn."""

    def picture() -> bytes:
        raise RuntimeError("the chart process died")

    out = tmp_path / "p.pdf"
    with pytest.raises(RuntimeError, match="the chart process died"):
        render_pdf(PICTURE_PAGE, out, pictures={"kpiboard-chart:0": picture})
    assert not out.exists()


def test_a_chart_drawn_otherwise_than_outlined_is_an_error() -> None:
    from kpiboard.reports.pack import _png
    from kpiboard.reports.rendering import RenderedChart

    outline = RenderedChart("history", None, None, "Line chart of A", [], [])
    drawn = {"A": (RenderedChart("spc", None, b"png", "Control chart of A", [], []),)}
    with pytest.raises(RuntimeError, match="indicator A's chart 1"):
        _png(drawn, "A", 0, outline)
    assert (
        _png(
            {"A": (RenderedChart("history", None, b"png", "Line chart of A", [], []),)},
            "A",
            0,
            outline,
        )
        == b"png"
    )


def test_the_command_lines_pdf_has_the_charts_the_pack_draws_in_process(
    demo_pack: PackResult, tmp_path: Path
) -> None:
    """``kpiboard report`` draws the charts in forked processes and lays the PDF out while they
    are drawn (its pictures fetched by address): its PDF carries the very pictures of the pack
    written here, where every chart is drawn before the PDF is begun."""
    import hashlib
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpiboard.cli",
            "report",
            str(root / "examples" / "demo-council"),
            "--period",
            "2024/25 Q2",
            "--committee",
            "srp",
            "--formats",
            "pdf",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    def pictures(path: Path) -> list[str]:
        pdf = pikepdf.open(path)
        found = []
        for image in pdf.objects:
            if isinstance(image, pikepdf.Stream) and image.get("/Subtype") == "/Image":
                assert "/SMask" not in image
                pixels = pikepdf.PdfImage(image).as_pil_image().tobytes()
                found.append(hashlib.sha256(pixels).hexdigest())
        return sorted(found)

    made_here = pictures(demo_pack.files["pdf"])
    assert len(made_here) >= 20
    assert pictures(tmp_path / "report.pdf") == made_here
