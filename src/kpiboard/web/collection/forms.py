"""The return form: value, or numerator and denominator, limits, note and commentary.

The typed figures are checked by the data folder's own checks (kpiboard.datafiles), so a figure
the web accepts is one an import would accept, and the messages are the same.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from kpiboard.analysis.breakdowns import BREAKDOWNS_TABLE, DEFAULT_GROUPS_WORD, breakdown_tables
from kpiboard.analysis.model import Aggregation, Dataset, Indicator, Organisation, Unit
from kpiboard.analysis.periods import Period
from kpiboard.analysis.plausibility import surprise
from kpiboard.datafiles import DataError, DataFileError, schema
from kpiboard.datafiles.organisation import organisation_to_document
from kpiboard.datafiles.records import dataset_from_records
from kpiboard.datafiles.write import dataset_tables
from kpiboard.web import widgets
from kpiboard.web.collection.breakdown_form import GroupRow, add_group_fields, group_records
from kpiboard.web.collection.models import Return

NUMBERS = ("value", "numerator", "denominator", "lower_ci", "upper_ci")


def _too_long(what: str, limit: int) -> str:
    """The message for a text past its limit (the folder's, so that an export reads back)."""
    return f"The {what} must be {limit:,} characters or fewer: shorten it"


class ReturnForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        required=False, label="This figure is right, although it is far from what went before"
    )
    surprise_reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Why is it right?",
        widget=widgets.Textarea(attrs={"rows": 2}),
        help_text="The reviewer sees this beside the warning",
    )
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
            "note": widgets.Textarea(attrs={"rows": 2}),
            "commentary": widgets.Textarea(attrs={"rows": 8}),
        }
        labels = {"note": "Note on the figure", "commentary": "Commentary"}
        help_texts = {
            "commentary": "Markdown: **bold**, lists with -, links. Shown to the committee as "
            f"written; HTML is not allowed. At most {schema.COMMENTARY_LENGTH:,} characters.",
        }
        error_messages = {
            "note": {"max_length": _too_long("note", schema.NOTE_LENGTH)},
            "commentary": {"max_length": _too_long("commentary", schema.COMMENTARY_LENGTH)},
        }

    def __init__(
        self,
        *args: Any,
        indicator: Indicator,
        period: Period,
        organisation: Organisation,
        history: list[Decimal] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicator, self.period, self.organisation = indicator, period, organisation
        #: The indicator's approved figures before this period, oldest first.
        self.history = history or []
        #: Why the figure entered is surprising, in words ("" when it is not).
        self.surprise = ""
        self.ratio = indicator.aggregation is Aggregation.RATIO
        if self.ratio:  # the figure is worked out: the form asks for its parts
            self.fields["numerator"].required = self.fields["denominator"].required = False
            self.fields["numerator"].help_text = "How many met the measure, such as 163"
            self.fields["denominator"].help_text = "How many there were in all, such as 200"
        else:
            self.fields[
                "value"
            ].help_text = f"In {indicator.unit_words.lower()}, such as {_example(indicator)}"
        if self.instance.pk:
            self.initial["surprise_reason"] = self.instance.surprise_reason
        table = breakdown_tables(organisation).get(indicator.ref)
        self.group_rows = add_group_fields(self, table, self.instance)
        self.groups_by = table.by if table is not None else DEFAULT_GROUPS_WORD
        self.group_records: list[tuple[GroupRow, dict[str, str | None]]] = []
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
        groups = group_records(data, self.group_rows, self.indicator.ref, self.period.label)
        self.group_records = groups
        has_figure = any(figure[name] for name in NUMBERS)
        if not has_figure and not groups:
            if not (data.get("commentary") or "").strip():
                raise forms.ValidationError(
                    "Enter a value, or a numerator and denominator, or commentary"
                )
            return data
        organisation = _document_for(self.organisation, self.indicator.ref)
        _spec, header, rows = dataset_tables(Dataset.build(self.organisation, [self.indicator]))[0]
        indicator_row = dict(zip(header, (_cell(cell) for cell in next(iter(rows))), strict=True))
        records: dict[str, list[Any]] = {"indicators": [indicator_row]}
        if has_figure:
            records["observations"] = [figure]
        if groups:
            records["breakdowns"] = [record for _, record in groups]
        try:
            dataset_from_records(organisation, records)
        except DataFileError as error:
            for problem in error.errors:
                if problem.file == "breakdowns.csv":
                    self._group_error(problem, groups)
                    continue
                field = problem.column if problem.column in self.fields else None
                self.add_error(field, _message(problem.column, problem.value, problem.expected))
            return data
        for name in NUMBERS:
            text = figure[name]
            data[name] = Decimal(text) if text else None
        self._check_surprise(data)
        return data

    def _check_surprise(self, data: dict[str, Any]) -> None:
        """A possible figure far from the indicator's history needs its owner's word for it."""
        value = data.get("value")
        numerator, denominator = data.get("numerator"), data.get("denominator")
        if value is None and numerator is not None and denominator:
            scale = 100 if self.indicator.unit is Unit.PERCENT else 1
            value = numerator * scale / denominator
        if value is None:
            return
        why = surprise(self.history, value, decimals=self.indicator.decimals)
        if why is None:
            return
        self.surprise = f"{why}."
        reason = (data.get("surprise_reason") or "").strip()
        if not data.get("confirm") or not reason:
            self.add_error(
                "confirm",
                f"Check the figure: {why}. If it is right, tick the box and say why below.",
            )

    def _group_error(
        self, problem: DataError, groups: list[tuple[GroupRow, dict[str, str | None]]]
    ) -> None:
        """A breakdown's error on its group's field; one about the whole breakdown (it does
        not combine to the figure) above the form."""
        if "to combine to its headline figure" in problem.expected:
            words = problem.expected.replace(" (observations.csv)", "")
            self.add_error(None, f"The groups do not add up to the figure: expected {words}")
            return
        index = (problem.row or 2) - 2
        if not 0 <= index < len(groups):
            self.add_error(None, str(problem))
            return
        row, record = groups[index]
        column = problem.column or "value"
        field = row.name(None if column == "group" else column)
        if field not in self.fields:
            field = row.name("value")
        name = record.get("group") or "a group"
        found = f" is {problem.value!r}" if problem.value not in (None, "") else " is missing"
        label = "The group's name" if column == "group" else f"The {column} for {name}"
        self.add_error(field, f"{label}{found}: enter {problem.expected}")


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


def _example(indicator: Indicator) -> str:
    """A figure in the indicator's unit, to show the form of one."""
    return {"percent": "81.5", "currency": "1250.00", "days": "8.7"}.get(
        indicator.unit.value, "46" if indicator.integer else "12.5"
    )


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
        label="Why is it going back to the owner?", widget=widgets.Textarea(attrs={"rows": 3})
    )


def number_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
