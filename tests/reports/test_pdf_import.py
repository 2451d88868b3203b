"""WeasyPrint's import, on the PDF's critical path when a pack's charts are kept, finds its
libraries in the dynamic linker's cache without running gcc or ld (issue 12, speed)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldconfig's cache")

IMPORT_RECORDING_COMMANDS = """
import ctypes.util, subprocess, sys
ran = []
real = subprocess.Popen.__init__
def recording(self, args, *rest, **options):
    ran.append(args if isinstance(args, str) else " ".join(map(str, args)))
    real(self, args, *rest, **options)
subprocess.Popen.__init__ = recording
if "--nothing-in-the-cache" in sys.argv:
    ctypes.util._findSoname_ldconfig = lambda name: None
from kpiboard.reports.pdf import start_pdf
start_pdf()
from weasyprint.text.ffi import pango
loaded = sorted({line.split()[-1] for line in open("/proc/self/maps") if "libpango-1.0" in line})
find_library_put_back = ctypes.util.find_library.__module__ == "ctypes.util"
print(repr((ran, loaded, find_library_put_back)))
"""


def _import(*arguments: str) -> tuple[list[str], list[str], bool]:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_RECORDING_COMMANDS, *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    ran, loaded, put_back = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return ran, loaded, put_back


def test_weasyprint_s_libraries_are_found_without_gcc_or_ld() -> None:
    """WeasyPrint tries 22 names for its 7 libraries, most of them Windows' or macOS'; asked
    for one it does not know, ``ctypes.util.find_library`` would run gcc, then ld (0.19 s of a
    0.51 s import). Only ldconfig runs now, and Pango is loaded all the same."""
    ran, loaded, put_back = _import()
    assert ran, "no library was looked up"
    assert all("ldconfig" in command for command in ran), ran
    assert [path for path in loaded if "libpango-1.0.so" in path]
    assert put_back, "find_library is left replaced after the import"


def test_a_library_missing_from_the_cache_is_opened_by_its_file_name() -> None:
    """A name that ldconfig's cache does not know lets WeasyPrint try its next one, down to
    the library's file name (libpango-1.0.so.0), which the dynamic linker opens."""
    ran, loaded, _ = _import("--nothing-in-the-cache")
    assert not [command for command in ran if "gcc" in command or command.startswith("ld ")]
    assert [path for path in loaded if "libpango-1.0.so" in path]
