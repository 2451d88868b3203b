"""The PDF written in a process of its own (reports/pdf_process.py), as `kpiboard report` does."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.periods import parse_period
from kpiboard.cli import SOURCE_FORMATS
from kpiboard.datafiles import read_dataset
from kpiboard.datafiles.national import SourceFormat
from kpiboard.reports import pack, pdf
from kpiboard.reports.pdf import PICTURE_SCHEME
from kpiboard.reports.pdf_process import PdfProcess, pdf_process

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-council"
NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)


class _FixedClock(datetime):
    @classmethod
    def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
        return NOW


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def _document(pictures: int) -> str:
    images = "".join(
        f'<img src="{PICTURE_SCHEME}:{n}" alt="Chart {n + 1}">' for n in range(pictures)
    )
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><title>Pictures</title></head>'
        f"<body><h1>Pictures</h1><p>{images}</p></body></html>"
    )


def _pages(path: Path) -> list[bytes]:
    contents: list[Any] = [page.get_contents() for page in PdfReader(path).pages]
    return [content.get_data() for content in contents]


def _images(path: Path) -> dict[str, bytes]:
    """Every picture's compressed data as the PDF holds it, by its name in the pages."""
    found = {}
    for page in PdfReader(path).pages:
        resources: Any = page["/Resources"].get_object()
        objects = resources.get("/XObject")
        for name, reference in (objects.get_object() if objects else {}).items():
            stream = reference.get_object()
            if stream.get("/Subtype") == "/Image":
                found[name] = stream._data
    return found


def test_the_process_writes_the_pdf_a_thread_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ahc committee's PDF, written by the process and in a thread at the same moment (the
    colophon's time fixed): every page's content and every picture the same."""
    monkeypatch.setattr(pack, "datetime", _FixedClock)
    evaluation = evaluate(read_dataset(DEMO), parse_period("2024/25 Q2"), "ahc")
    in_thread = pack.write_pack(evaluation, tmp_path / "thread", ["pdf"]).files["pdf"]
    process = PdfProcess()
    try:
        in_process = pack.write_pack(
            evaluation, tmp_path / "process", ["pdf"], pdf_process=process
        ).files["pdf"]
    finally:
        process.close()
    assert in_process == tmp_path / "process" / "report.pdf"
    assert len(_pages(in_thread)) >= 8  # seven cards and the front matter
    assert _pages(in_process) == _pages(in_thread)
    assert len(set(_images(in_process).values())) >= 7  # a chart a card at least
    assert _images(in_process) == _images(in_thread)


def test_a_picture_that_cannot_be_had_stops_the_pdf_and_the_next_is_written(
    tmp_path: Path,
) -> None:
    drawn = _png(30, 20, (200, 30, 30))

    def missing() -> bytes:
        raise RuntimeError("indicator 190's chart 1 was not drawn as outlined")

    failing: dict[str, Callable[[], bytes]] = {
        f"{PICTURE_SCHEME}:0": lambda: drawn,
        f"{PICTURE_SCHEME}:1": missing,
        f"{PICTURE_SCHEME}:2": lambda: drawn,
    }
    process = PdfProcess()
    try:
        with pytest.raises(RuntimeError, match="190's chart 1 was not drawn"):
            process.write(_document(3), tmp_path / "failed.pdf", failing)
        assert not (tmp_path / "failed.pdf").exists()
        # What was sent for the failed PDF was read to its end: the next one is whole.
        pictures = {
            f"{PICTURE_SCHEME}:0": lambda: _png(30, 20, (200, 30, 30)),
            f"{PICTURE_SCHEME}:1": lambda: _png(40, 10, (30, 30, 200)),
        }
        written = process.write(_document(2), tmp_path / "written.pdf", pictures)
    finally:
        process.close()
    assert not process._process.is_alive()
    embedded: list[Any] = [
        image.image for page in PdfReader(written).pages for image in page.images
    ]
    assert sorted(picture.size for picture in embedded) == [(30, 20), (40, 10)]
    colours = {picture.getpixel((0, 0)) for picture in embedded}
    assert colours == {(200, 30, 30), (30, 30, 200)}


def test_the_process_ends_when_its_parent_is_gone() -> None:
    process = PdfProcess()
    process._connection.close()  # as when the command is killed: the pipe's end closes
    process._process.join(10)
    assert process._process.exitcode == 0


def test_no_process_while_another_thread_runs() -> None:
    """A fork would copy a process whose other threads may hold locks: the PDF is then written in
    a thread of the pack, as in the web app."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with pdf_process() as process:
            assert process is None
    finally:
        stop.set()
        other.join()


def test_the_command_line_starts_without_the_analysis_and_the_data_readers() -> None:
    """`kpiboard report` forks its PDF's process as it starts: before numpy and polars are
    imported, so that the process imports WeasyPrint while they are."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, kpiboard.cli; print(sorted({'numpy', 'polars', 'weasyprint'}"
            " & set(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


def test_the_command_lines_source_formats_are_the_readers() -> None:
    assert tuple(f.value for f in SourceFormat) == SOURCE_FORMATS


def test_pictures_only_for_a_document_begun(tmp_path: Path) -> None:
    process = PdfProcess()
    try:
        with pytest.raises(RuntimeError, match="no PDF begun"):
            process.finish({})
        process.begin(_document(0), tmp_path / "empty.pdf")
        with pytest.raises(RuntimeError, match="already writing"):
            process.begin(_document(0), tmp_path / "other.pdf")
        assert process.finish({}) == tmp_path / "empty.pdf"
    finally:
        process.close()
    assert len(PdfReader(tmp_path / "empty.pdf").pages) == 1
    assert not (tmp_path / "other.pdf").exists()


def test_a_weasyprint_that_cannot_be_imported_is_the_pdfs_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> None:
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "start_pdf", unavailable)  # before the fork: the process has it
    process = PdfProcess()
    try:
        with pytest.raises(OSError, match="libpango"):
            process.write(_document(1), tmp_path / "r.pdf", {f"{PICTURE_SCHEME}:0": lambda: b""})
    finally:
        process.close()
    assert not (tmp_path / "r.pdf").exists()
