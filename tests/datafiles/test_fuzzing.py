"""Fuzzing the readers (issue 16): hostile mutations of the demo council's folder and workbook.

The property, for every mutation Hypothesis makes: reading ends in a dataset or in named errors
(:class:`DataFileError`, the command line's exit status 2), never in any other exception (exit 1);
an accepted dataset evaluates and serialises to JSON for the demo's period; and each example
finishes within the deadline (a hang, such as ``run_length = 1e100`` once was, fails it).

Mutations are of two kinds: a cell replaced by a hostile token (numbers at and beyond the
engine's bounds, look-alike characters, control characters, period labels with garbage, TOML
that nests or overflows), and raw bytes changed (inserted, deleted, truncated, line endings
rewritten). The budget here is fixed for ``make test``; a release runs the same tests longer:

    KPIBOARD_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/datafiles/test_fuzzing.py -p no:randomly

The crashes the first fuzzing run found are kept as explicit examples (``@example``) so they are
tried on every run.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.datafiles import DataFileError, read_dataset, write_workbook

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-council"
PERIOD = "2024/25 Q2"
EXAMPLES = int(os.environ.get("KPIBOARD_FUZZ_EXAMPLES", "60"))
FILES = sorted(p.name for p in DEMO.iterdir() if p.is_file())

HOSTILE = [
    "1e308",
    "-1e308",
    "1e400",
    "999999999999999.5",
    "1000000000000000",
    "99999999999999999999",
    "0.00000000000001",
    "1e-300",
    "0",
    "-0",
    "nan",
    "inf",
    "−12",
    "１２",
    "1\u00a0234",
    "81%",
    "2024-09-15 garbage",
    "2024-09-15Tnonsense",
    "２０２４-09",
    "0000-01",
    "9999-12",
    "2024/25 Q5",
    "\x00",
    "\x07bell",
    "\r",
    "\r\n",
    '"',
    '"unclosed',
    ",,,,",
    "=SUM(A1)",
    "x" * 600,
    "40",
    "2",
    "1e100",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "true",
    "none",
    "",
]


def _check(folder_or_workbook: Path) -> None:
    """The property: a dataset that evaluates, or named errors; nothing else."""
    refusal: DataFileError | None = None
    try:
        dataset = read_dataset(folder_or_workbook)
    except DataFileError as error:
        refusal = error
    if refusal is not None:
        assert refusal.errors, "a refusal names at least one problem"
        assert all(e.expected for e in refusal.errors)
        return
    period = parse_period(PERIOD, year_start_month=dataset.organisation.settings.year_start_month)
    json.dumps(evaluation_to_json(evaluate(dataset, period)))


@pytest.fixture(scope="module")
def demo_bytes() -> dict[str, bytes]:
    return {name: (DEMO / name).read_bytes() for name in FILES}


def _write(folder: Path, files: dict[str, bytes]) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _replace_cell(data: bytes, line: int, cell: int, token: str) -> bytes:
    lines = data.decode("utf-8").split("\n")
    index = 1 + line % max(1, len(lines) - 2)  # never the header: that is another test
    cells = lines[index].split(",")
    cells[cell % len(cells)] = token
    lines[index] = ",".join(cells)
    return "\n".join(lines).encode("utf-8")


def _replace_setting(data: bytes, line: int | str, token: str) -> bytes:
    """Setting number ``line`` (or the one named ``line``) of organisation.toml set to ``token``."""
    lines = data.decode("utf-8").split("\n")
    settings_ = [i for i, text in enumerate(lines) if " = " in text and not text.startswith("#")]
    if isinstance(line, str):
        index = next(i for i in settings_ if lines[i].split(" = ", 1)[0].strip() == line)
    else:
        index = settings_[line % len(settings_)]
    key = lines[index].split(" = ", 1)[0]
    lines[index] = f"{key} = {token}"
    return "\n".join(lines).encode("utf-8")


_CSV = [name for name in FILES if name.endswith(".csv")]

cell_mutation = st.tuples(
    st.sampled_from(_CSV),
    st.integers(0, 10_000),
    st.integers(0, 30),
    st.sampled_from(HOSTILE) | st.text(max_size=12),
)
setting_mutation = st.tuples(st.integers(0, 200) | st.just("run_length"), st.sampled_from(HOSTILE))
byte_mutation = st.tuples(
    st.sampled_from(FILES),
    st.sampled_from(["insert", "delete", "truncate", "cr", "crlf", "bom"]),
    st.integers(0, 10**7),
    st.binary(min_size=1, max_size=8),
)


@settings(
    max_examples=EXAMPLES,
    deadline=10_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(cell_mutation, min_size=1, max_size=3), st.lists(setting_mutation, max_size=1))
@example([("observations.csv", 0, 2, "1e308")], [])  # InvalidOperation in quantize
@example([("observations.csv", 150, 4, "99999999999999999999")], [])  # ZeroDivisionError
@example([], [("red_at", "1e999999")])  # decimal.Overflow
@example([], [("run_length", "40")])  # numpy could not broadcast
@example([], [("min_points", "2")])  # the same
@example([], [("run_length", "1e100")])  # a hang
@example([("commentary.csv", 1, 2, "\x00")], [])  # NUL: refused by PostgreSQL alone
def test_a_mutated_folder_is_read_or_refused_by_name(
    tmp_path: Path,
    demo_bytes: dict[str, bytes],
    cells: list[tuple[str, int, int, str]],
    toml: list[tuple[int | str, str]],
) -> None:
    files = dict(demo_bytes)
    for name, line, cell, token in cells:
        files[name] = _replace_cell(files[name], line, cell, token)
    for setting, value in toml:
        files["organisation.toml"] = _replace_setting(files["organisation.toml"], setting, value)
    _check(_write(tmp_path / "mutated", files))


@settings(
    max_examples=EXAMPLES,
    deadline=10_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(byte_mutation, min_size=1, max_size=3))
def test_a_folder_with_changed_bytes_is_read_or_refused_by_name(
    tmp_path: Path,
    demo_bytes: dict[str, bytes],
    mutations: list[tuple[str, str, int, bytes]],
) -> None:
    files = dict(demo_bytes)
    for name, kind, where, data in mutations:
        old = files[name]
        at = where % (len(old) + 1)
        files[name] = {
            "insert": old[:at] + data + old[at:],
            "delete": old[:at] + old[at + len(data) :],
            "truncate": old[:at],
            "cr": old.replace(b"\n", b"\r"),
            "crlf": old.replace(b"\n", b"\r\n"),
            "bom": b"\xef\xbb\xbf" + old,
        }[kind]
    _check(_write(tmp_path / "mutated", files))


@pytest.fixture(scope="module")
def demo_workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("book") / "demo.xlsx"
    write_workbook(read_dataset(DEMO), path)
    return path.read_bytes()


def _members(book: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        return archive.namelist()


@settings(
    max_examples=max(10, EXAMPLES // 2),
    deadline=20_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.integers(0, 100),
    st.sampled_from(["truncate", "insert", "delete", "drop", "flip"]),
    st.integers(0, 10**7),
    st.binary(min_size=1, max_size=6) | st.sampled_from([b"<!DOCTYPE x>", b"&x;", b"</c>"]),
)
def test_a_mutated_workbook_is_read_or_refused_by_name(
    tmp_path: Path, demo_workbook: bytes, member: int, kind: str, where: int, data: bytes
) -> None:
    """A member of the workbook's zip changed as XML text (or dropped), or its bytes flipped."""
    path = tmp_path / "mutated.xlsx"
    if kind == "flip":
        raw = bytearray(demo_workbook)
        raw[where % len(raw)] ^= data[0] or 1
        path.write_bytes(bytes(raw))
    else:
        names = _members(demo_workbook)
        chosen = names[member % len(names)]
        with (
            zipfile.ZipFile(io.BytesIO(demo_workbook)) as old,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new,
        ):
            for name in names:
                content = old.read(name)
                if name == chosen:
                    at = where % (len(content) + 1)
                    if kind == "drop":
                        continue
                    content = {
                        "truncate": content[:at],
                        "insert": content[:at] + data + content[at:],
                        "delete": content[:at] + content[at + len(data) :],
                    }[kind]
                new.writestr(name, content)
    _check(path)
