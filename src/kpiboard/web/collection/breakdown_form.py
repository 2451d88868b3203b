"""The return form's figures by group (breakdowns.csv): optional rows beside the figure.

Where organisation.toml's ``[breakdowns.<ref>]`` table lists the indicator's groups, the form has a
row per group, named and fixed; otherwise the groups already given and a few blank rows to name
new ones. A row with no figure is left out. The rows are checked with the figure by the data
folder's own checks (a breakdown as breakdowns.csv would hold it), so a complete breakdown that
does not combine to the figure is refused as an import would refuse it; saving the return puts
exactly the rows given on it (a row emptied is a group's figure taken away).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from kpiboard.analysis.breakdowns import BreakdownTable
from kpiboard.datafiles import schema
from kpiboard.web.collection.models import Return, ReturnBreakdown

__all__ = ["BLANK_ROWS", "GroupRow", "add_group_fields", "group_records", "save_groups"]

#: Blank rows offered for new groups where no table lists them.
BLANK_ROWS = 3
NUMBERS = ("value", "numerator", "denominator")
LABELS = {
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "note": "Note",
}


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One row of the form: its position and whether its group's name is fixed by the table."""

    index: int
    fixed: bool

    def name(self, column: str | None = None) -> str:
        """The form field of the row's group (None) or of one of its cells."""
        return f"group_{self.index}" if column is None else f"group_{self.index}_{column}"


def add_group_fields(
    form: forms.BaseForm, table: BreakdownTable | None, item: Return
) -> list[GroupRow]:
    """Add a row of fields per group to ``form``, filled from the return's saved groups."""
    saved = {row.group: row for row in item.breakdowns.all()} if item.pk else {}
    if table is not None:
        names = [(group, True) for group in table.groups]
    else:
        names = [(group, False) for group in saved] + [("", False)] * BLANK_ROWS
    rows = []
    for index, (group, fixed) in enumerate(names):
        row = GroupRow(index, fixed)
        form.fields[row.name()] = forms.CharField(
            required=False,
            label="Group",
            initial=group,
            disabled=fixed,
            max_length=schema.BREAKDOWNS.column("group").max_length,
        )
        found = saved.get(group) if group else None
        for column, label in LABELS.items():
            form.fields[row.name(column)] = forms.CharField(
                required=False,
                label=f"{label} for {group or 'the group'}",
                max_length=schema.NOTE_LENGTH if column == "note" else None,
            )
            if found is not None:
                cell = getattr(found, column)
                form.initial[row.name(column)] = (
                    format(cell, "f") if isinstance(cell, Decimal) else cell or ""
                )
        rows.append(row)
    return rows


def group_records(
    data: dict[str, Any], rows: list[GroupRow], ref: str, period: str
) -> list[tuple[GroupRow, dict[str, str | None]]]:
    """The rows with a figure, as breakdowns.csv's records (text cells), each with its row."""
    found = []
    for row in rows:
        cells = {column: (data.get(row.name(column)) or "").strip() or None for column in LABELS}
        if not any(cells[column] for column in NUMBERS):
            continue
        group = (data.get(row.name()) or "").strip() or None
        found.append((row, {"ref": ref, "period": period, "group": group, **cells}))
    return found


def save_groups(
    item: Return, records: list[tuple[GroupRow, dict[str, str | None]]], user: Any
) -> None:
    """Put exactly ``records`` on the saved return ``item``: new groups made, changed ones
    updated, groups no longer given taken away; each change audited as made by ``user``."""
    author = user if getattr(user, "pk", None) else None
    existing = {row.group: row for row in item.breakdowns.all()}
    wanted = {record["group"] for _, record in records}
    for group, row in existing.items():
        if group not in wanted:
            row._history_user = author  # type: ignore[attr-defined]
            row.delete()
    for position, (_, record) in enumerate(records):
        group = str(record["group"])
        row = existing.get(group) or ReturnBreakdown(return_row=item, group=group)
        value, numerator, denominator = (_number(record[column]) for column in NUMBERS)
        note = record["note"] or ""
        current = (row.value, row.numerator, row.denominator, row.note, row.position)
        if row.pk and current == (value, numerator, denominator, note, position):
            continue
        row.value, row.numerator, row.denominator = value, numerator, denominator
        row.note, row.position = note, position
        row._history_user = author  # type: ignore[attr-defined]
        row.save()


def _number(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None
