"""Indicator refs that are safe everywhere: in a web address, a file name, a spreadsheet cell and
a command line (issue 14, finding 6).

A ref is 1 to 20 letters, digits, dots, hyphens and underscores, the pattern
:data:`REF_PATTERN`, ``^[A-Za-z0-9._-]{1,20}$`` (such as ``182``, ``ASC1`` or ``CS-1.2a``), and
is not one of :data:`RESERVED_REFS`:

- ``.`` and ``..``, which a browser removes from an address (``/register/../`` is ``/``) and a
  file system reads as a folder;
- ``new``, ``import`` and ``export``, the web register's own pages (``/register/new/``), which
  an indicator of that ref could never be reached behind.

A ref with a ``/`` (``Z/1``) was once accepted, and made every page listing it fail, since no
address can carry it as one segment. The same rule is checked by the data folder and workbook
readers (this module), by the web form and by the database, so no source can add such a ref.

>>> ref_problem("182") is None
True
>>> ref_problem("Z/1") == REF_EXPECTED
True
"""

from __future__ import annotations

import re

__all__ = ["REF_EXPECTED", "REF_PATTERN", "RESERVED_REFS", "ref_problem"]

REF_PATTERN = r"^[A-Za-z0-9._-]{1,20}$"
"""The documented pattern (formats.md, docs/admin-guide.md), as polars and PostgreSQL read it."""

RESERVED_REFS = (".", "..", "new", "import", "export")
"""Refs that match the pattern but could not be used in a web address (see the module)."""

REF_EXPECTED = (
    "a ref of 1 to 20 letters, digits, dots, hyphens or underscores "
    f"({REF_PATTERN}), other than {', '.join(RESERVED_REFS[:-1])} and {RESERVED_REFS[-1]}"
)
"""What a ref must be, in the words of every error about one."""

# fullmatch, not the pattern's $: in Python, $ also matches before a final line break.
_REF = re.compile(REF_PATTERN.removeprefix("^").removesuffix("$"))


def ref_problem(ref: str) -> str | None:
    """None for a ref that is safe everywhere, or what a ref must be (:data:`REF_EXPECTED`)."""
    if _REF.fullmatch(ref) is None or ref in RESERVED_REFS:
        return REF_EXPECTED
    return None
