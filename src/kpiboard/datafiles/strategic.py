"""organisation.toml's ``[strategic]`` table checked (docs/proposals.md): ``report_to`` a
committee id, ``[strategic.directorates]`` directorate ids mapped to committee ids, nothing else.

It stays in ``Organisation.extra["strategic"]`` as written;
:func:`kpiboard.reports.strategic.strategic_settings` reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpiboard.analysis.model import Organisation
from kpiboard.datafiles.errors import DataError
from kpiboard.datafiles.organisation import Locate

__all__ = ["check_strategic_table"]

_KEYS = ("report_to", "directorates")


def check_strategic_table(
    document: Mapping[str, Any], organisation: Organisation, locate: Locate, errors: list[DataError]
) -> None:
    """Every id of ``[strategic]`` checked against the organisation's committees and
    directorates; an unknown key is an error (most likely a misspelling)."""
    table = document.get("strategic")
    if table is None:
        return
    committees = [c.id for c in organisation.committees]
    directorates = [d.id for d in organisation.directorates]

    def error(key: str, value: object, expected: str) -> None:
        file, row, column = locate(key)
        errors.append(DataError(file, row, column, None if value is None else str(value), expected))

    def committee(key: str, value: object) -> None:
        if not isinstance(value, str) or value not in committees:
            error(key, value, "the id of a committee in [[committees]]: " + ", ".join(committees))

    if not isinstance(table, Mapping):
        error("strategic", table, "a table [strategic] with report_to and [strategic.directorates]")
        return
    for key in table:
        if key not in _KEYS:
            error(f"strategic.{key}", table[key], "only report_to and directorates in [strategic]")
    if "report_to" in table:
        committee("strategic.report_to", table["report_to"])
    chosen = table.get("directorates", {})
    if not isinstance(chosen, Mapping):
        error(
            "strategic.directorates",
            chosen,
            'a table [strategic.directorates] of directorate id = "committee id"',
        )
        return
    for directorate, value in chosen.items():
        key = f"strategic.directorates.{directorate}"
        if directorate not in directorates:
            error(
                key,
                directorate,
                "the id of a directorate in [[directorates]]: " + ", ".join(directorates),
            )
        committee(key, value)
