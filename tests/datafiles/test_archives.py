"""Archives checked before they are expanded (issue 14, finding 4, and the DTD and long-name
cases of finding 5): a workbook's sheets of the council's own are never parsed, XML with a DTD or
entities is refused by name, and a zip's entry count, each entry's size, the total and its names
are judged from its directory before anything is decompressed."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpiboard.datafiles import DataFileError, read_dataset, write_workbook
from kpiboard.datafiles.archives import Limits, check_workbook, check_zip

DataFolder = Callable[..., Path]

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
)
EXTERNAL = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'


def _workbook(data_folder: DataFolder, tmp_path: Path, extra_sheet: bool = False) -> Path:
    path = tmp_path / "data.xlsx"
    write_workbook(read_dataset(data_folder()), path)
    if extra_sheet:
        book = openpyxl.load_workbook(path)
        book.create_sheet("notes")["A1"] = "the council's own notes"
        book.save(path)
    return path


def _part_of_sheet(path: Path, sheet: str) -> str:
    """The zip entry holding a sheet's XML, from the workbook's own directory."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(rId\d+)"', book)
    assert rid, book
    target = re.search(rf'<Relationship [^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or (
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    )
    assert target, rels
    name = target.group(1).lstrip("/")
    return name if name.startswith("xl/") else f"xl/{name}"


def _rewrite(path: Path, change: Callable[[str, bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info.filename, change(info.filename, data))


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _errors(call: Callable[[], Any]) -> str:
    with pytest.raises(DataFileError) as raised:
        call()
    return str(raised.value)


def test_a_sheet_of_the_councils_own_is_never_parsed(
    data_folder: DataFolder, tmp_path: Path
) -> None:
    """The notes sheet's XML is broken after its first element: parsing it would fail, so a
    workbook that reads proves it was left alone (the 98 MB sheet of the finding took 96 s)."""
    path = _workbook(data_folder, tmp_path, extra_sheet=True)
    notes = _part_of_sheet(path, "notes")
    _rewrite(
        path,
        lambda name, data: (
            data[: data.index(b"<sheetData")] + b"<sheetData><row><c>" if name == notes else data
        ),
    )
    dataset = read_dataset(path)
    assert dataset.indicators


@pytest.mark.parametrize(
    ("prolog", "part"),
    [
        (BILLION_LAUGHS, "xl/styles.xml"),
        (EXTERNAL, "indicators"),
        (EXTERNAL, "[Content_Types].xml"),
    ],
)
def test_xml_with_a_dtd_is_refused_by_name(
    data_folder: DataFolder, tmp_path: Path, prolog: bytes, part: str
) -> None:
    # Saved by openpyxl (the extra sheet), as a council's edited workbook would be.
    path = _workbook(data_folder, tmp_path, extra_sheet=True)
    entry = part if "." in part else _part_of_sheet(path, part)

    def add_dtd(name: str, data: bytes) -> bytes:
        if name != entry:
            return data
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", data)
        return prolog + body

    _rewrite(path, add_dtd)
    with zipfile.ZipFile(path) as archive:
        assert archive.read(entry).startswith(prolog)
    text = _errors(lambda: read_dataset(path))
    assert "data.xlsx" in text
    assert entry in text
    assert "document type or entity declarations (DTD)" in text
    assert "root:" not in text


def test_a_workbook_made_by_kpiboard_passes_the_checks(
    data_folder: DataFolder, tmp_path: Path
) -> None:
    check_workbook(_workbook(data_folder, tmp_path, extra_sheet=True), "data.xlsx")


def test_too_many_entries_are_refused_from_the_directory_alone(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    path.write_bytes(_zip({f"data/reports/{n}.md": b"" for n in range(1_001)}))
    text = _errors(lambda: check_zip(path, "many.zip"))
    assert "many.zip" in text
    assert "1,001 entries" in text
    assert "at most 1,000" in text


def test_an_entry_or_a_whole_too_large_unpacked_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip({"data/a.csv": b"0" * 5_000, "data/b.csv": b"0" * 3_000}))
    assert path.stat().st_size < 1_000  # small packed: only the directory knows
    one = _errors(lambda: check_zip(path, "bomb.zip", Limits(entry_bytes=4_000)))
    assert "data/a.csv: 5,000 bytes unpacked" in one
    assert "data/b.csv" not in one
    whole = _errors(lambda: check_zip(path, "bomb.zip", Limits(total_bytes=7_999)))
    assert "8,000 bytes unpacked" in whole
    check_zip(path, "bomb.zip", Limits(entry_bytes=5_000, total_bytes=8_000))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("data/" + "x" * 300 + ".csv", "a file name of at most 120 characters"),
        ("../../etc/cron.d/evil", "a path inside the data folder"),
        ("/etc/passwd", "a path inside the data folder"),
    ],
)
def test_names_that_leave_the_folder_or_are_too_long_are_refused(
    tmp_path: Path, name: str, expected: str
) -> None:
    path = tmp_path / "names.zip"
    path.write_bytes(_zip({name: b"x"}))
    assert expected in _errors(lambda: check_zip(path, "names.zip"))


def test_a_file_that_is_not_a_zip_is_a_named_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip")
    assert "fake.xlsx: expected a zip archive" in _errors(lambda: check_zip(path, "fake.xlsx"))
