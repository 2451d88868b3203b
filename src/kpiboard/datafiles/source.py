"""What a folder or workbook holds, before any check: the common input of the one reading path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kpiboard.datafiles.errors import DataError
from kpiboard.datafiles.organisation import Locate
from kpiboard.datafiles.tables import RawTable

__all__ = ["RawData"]


@dataclass
class RawData:
    """The organisation document and each file's text cells.

    ``organisation`` is None when it could not be read (an error in ``errors`` then says why);
    ``tables`` maps a file's name (``observations``) to its cells, or to None when the file is
    absent; ``files`` lists every file or sheet as errors name them, in the order errors are
    reported.
    """

    organisation: Mapping[str, Any] | None
    locate: Locate
    tables: Mapping[str, RawTable | None]
    files: list[str]
    errors: list[DataError] = field(default_factory=list)
    #: The reports/ documents (the officer's narrative), as (the name errors give it, text).
    documents: list[tuple[str, str]] = field(default_factory=list)
    #: The proposals/ files (docs/proposals.md) by name (``rounds``), None when absent.
    proposal_tables: Mapping[str, RawTable | None] = field(default_factory=dict)
