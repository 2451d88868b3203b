"""The return form: value, or numerator and denominator, limits, note and commentary.

The typed figures are checked by the data folder's own checks (kpiboard.datafiles), so a figure
the web accepts is one an import would accept, and the messages are the same.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from kpiboard.analysis.breakdowns import BREAKDOWNS_TABLE
from kpiboard.analysis.model import Dataset, Indicator, Organisation
from kpiboard.analysis.periods import Period
from kpiboard.datafiles import DataFileError
from kpiboard.datafiles.organisation import organisation_to_document
from kpiboard.datafiles.records import dataset_from_records
from kpiboard.datafiles.write import dataset_tables
from kpiboard.web.collection.models import Return

NUMBERS = ("value", "numerator", "denominator", "lower_ci", "upper_ci")


class ReturnForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Numbers arrive as text: the data folder's checks judge them, with its messages.
    value = forms.CharField(required=False, label="Value")
    numerator = forms.CharField(required=False, label="Numerator")
    denominator = forms.CharField(required=False, label="Denominator")
    lower_ci = forms.CharField(required=False, label="Lower confidence limit")
    upper_ci = forms.CharField(required=False, label="Upper confidence limit")

    class Meta:
        model = Return
        fields = ("value", "numerator", "denominator", "lower_ci", "upper_ci", "note", "commentary")
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "commentary": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {"note": "Note on the figure", "commentary": "Commentary"}
        help_texts = {
            "commentary": "Markdown: **bold**, lists with -, links. Shown to the committee as "
            "written; HTML is not allowed.",
        }

    def __init__(
        self,
        *args: Any,
        indicator: Indicator,
        period: Period,
        organisation: Organisation,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicator, self.period, self.organisation = indicator, period, organisation
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            for name in NUMBERS:
                number = getattr(self.instance, name)
                self.initial[name] = "" if number is None else _plain(number)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        figure = {
            "ref": self.indicator.ref,
            "period": self.period.label,
            **{name: (data.get(name) or "").strip() or None for name in NUMBERS},
            "note": data.get("note") or None,
        }
        for name in NUMBERS:
            data[name] = None
        if not any(figure[name] for name in NUMBERS):
            if not (data.get("commentary") or "").strip():
                raise forms.ValidationError(
                    "Enter a value, or a numerator and denominator, or commentary"
                )
            return data
        organisation = _document_for(self.organisation, self.indicator.ref)
        _spec, header, rows = dataset_tables(Dataset.build(self.organisation, [self.indicator]))[0]
        indicator_row = dict(zip(header, (_cell(cell) for cell in next(iter(rows))), strict=True))
        try:
            dataset_from_records(
                organisation, {"indicators": [indicator_row], "observations": [figure]}
            )
        except DataFileError as error:
            for problem in error.errors:
                field = problem.column if problem.column in self.fields else None
                self.add_error(field, _message(problem.column, problem.value, problem.expected))
            return data
        for name in NUMBERS:
            text = figure[name]
            data[name] = Decimal(text) if text else None
        return data


def _document_for(organisation: Organisation, ref: str) -> dict[str, Any]:
    """organisation.toml's document for checking one indicator's figures: the breakdown table
    of that indicator only (the others name indicators the check is not given)."""
    document = organisation_to_document(organisation)
    tables = document.get(BREAKDOWNS_TABLE)
    if isinstance(tables, dict):
        mine = {key: table for key, table in tables.items() if key == ref}
        if mine:
            document[BREAKDOWNS_TABLE] = mine
        else:
            del document[BREAKDOWNS_TABLE]
    return document


def _cell(cell: Any) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)


def _plain(number: Decimal) -> str:
    return format(number, "f")


def _message(column: str | None, value: str | None, expected: str) -> str:
    label = {
        "value": "The value",
        "numerator": "The numerator",
        "denominator": "The denominator",
        "lower_ci": "The lower limit",
        "upper_ci": "The upper limit",
    }.get(column or "", "The figure")
    found = f" is {value!r}" if value not in (None, "") else " is missing"
    return f"{label}{found}: enter {expected}"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why is it going back to the owner?", widget=forms.Textarea(attrs={"rows": 3})
    )


def number_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
