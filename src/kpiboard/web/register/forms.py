"""Forms of the register: an indicator's attributes, a target, a lifecycle decision, an action,
an upload. Each editable row's form carries its ``version`` (see kpiboard.web.concurrency)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from kpiboard.analysis.model import Bound, Unit
from kpiboard.analysis.periods import Frequency, PeriodError, parse_period
from kpiboard.datafiles.bounds import bound_text, bounds_indicator, read_bound
from kpiboard.web import widgets
from kpiboard.web.register import models


class VersionedForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False


def period_label(text: str, field: str, frequency: Frequency | None = None) -> str:
    try:
        return parse_period(text, frequency).label
    except PeriodError as error:
        raise forms.ValidationError(
            f"Enter a period such as 2024/25 Q2, 2024-09 or 2024/25 ({error})", code="period"
        ) from None


_LARGEST_ID = 2**63 - 1  # a BigAutoField's


class IdsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Checkboxes of committees or ambitions, sent as their ids. One that no row could have
    (``abc``, ``99999999999999999999``) is refused as an unknown choice before the database is
    asked: Django's ``id__in`` lookup passes a number past SQLite's integers through, and it
    fails there."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for pk in value:
                text = str(pk)
                if not (text.isascii() and text.isdigit() and int(text) <= _LARGEST_ID):
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": text[:40]},
                    )
        return super().clean(value)


_BOUND_EXPECTED = (
    "Enter a number such as 0 or 100, none for no bound, or leave it empty for the unit's default"
)


class IndicatorForm(VersionedForm):
    class Meta:
        model = models.Indicator
        fields = (
            "ref",
            "name",
            "description",
            "unit",
            "decimals",
            "direction",
            "frequency",
            "aggregation",
            "cumulative",
            "category",
            "committees",
            "directorate",
            "ambitions",
            "national_definition",
            "strategic",
            "owner",
            "tolerance_mode",
            "red_at",
            "blue_above",
            "no_blue",
            "minimum",
            "maximum",
            "integer",
            "unit_label",
        )
        field_classes = {"committees": IdsField, "ambitions": IdsField}
        widgets = {
            "committees": forms.CheckboxSelectMultiple,
            "ambitions": forms.CheckboxSelectMultiple,
            "description": widgets.Textarea(attrs={"rows": 3}),
        }

    def clean_ref(self) -> str:
        """A ref safe in every address, file and cell (kpiboard.datafiles.refs): a ``/`` in one
        (``Z/1``) once made the register fail for everyone."""
        ref: str = self.cleaned_data["ref"]
        models.validate_ref(ref)
        return ref

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("red_at") is not None and data["red_at"] <= 0:
            self.add_error("red_at", "Enter a tolerance above 0, such as 0.10 or 10")
        if data.get("blue_above") is not None and data["blue_above"] < 0:
            self.add_error("blue_above", "Enter 0 or more")
        self._clean_bounds(data)
        return data

    def _clean_bounds(self, data: dict[str, Any]) -> None:
        """min and max as indicators.csv takes them (kept as text: "", none, or a number), and
        a min not above the max in force, as a data folder is checked."""
        bounds: dict[str, Bound] = {}
        for name in ("minimum", "maximum"):
            text = (data.get(name) or "").strip()
            try:
                bound = read_bound(text)
            except InvalidOperation:
                bound = Decimal("NaN")
            if isinstance(bound, Decimal) and not bound.is_finite():
                self.add_error(name, _BOUND_EXPECTED)
                continue
            bounds[name] = bound
            data[name] = bound_text(bound)
        unit = data.get("unit")
        if len(bounds) < 2 or unit not in {member.value for member in Unit}:
            return
        limits = bounds_indicator(
            data.get("ref") or "", Unit(unit), bounds["minimum"], bounds["maximum"]
        )
        low, high = limits.lower_bound, limits.upper_bound
        if low is not None and high is not None and low > high:
            whose = "" if data["maximum"] else " (the default for the unit)"
            self.add_error("minimum", f"Enter a min not above the max, {high}{whose}")


class TargetForm(forms.Form):
    start = forms.CharField(label="From period", help_text="For example 2024/25 or 2024/25 Q3")
    value = forms.CharField(label="Target", max_length=40, help_text="For example 85 or 85%")
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=widgets.Textarea(attrs={"rows": 2}),
        help_text="Needed when the target applies to a period already reported",
    )
    committee = forms.ModelChoiceField(
        queryset=models.Committee.objects.all(),
        label="Decided by",
        required=False,
        help_text="The committee that agreed the change, when it applies to a period reported",
    )
    meeting = forms.DateField(
        label="Meeting date", required=False, help_text="For example 2024-11-20"
    )

    def clean_start(self) -> str:
        return period_label(self.cleaned_data["start"], "start")


class DecisionForm(forms.Form):
    move = forms.ChoiceField(choices=models.Lifecycle.choices, widget=forms.HiddenInput)
    committee = forms.ModelChoiceField(
        queryset=models.Committee.objects.all(), label="Decided by", required=False
    )
    meeting = forms.DateField(
        label="Meeting date", required=False, help_text="For example 2024-11-20"
    )
    ended_from = forms.CharField(
        label="First period no longer reported",
        required=False,
        help_text="For retiring or suspending: for example 2025/26 Q1",
    )
    note = forms.CharField(label="Note", required=False, widget=widgets.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, indicator: models.Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        move = data.get("move")
        allowed = models.LIFECYCLE_MOVES.get(self.indicator.lifecycle, {})
        if move not in allowed:
            raise forms.ValidationError(
                f"An indicator that is {self.indicator.get_lifecycle_display().lower()} "
                f"cannot become {move}"
            )
        # A committee decides what is added and removed; suspending and reinstating are the
        # performance team's.
        approving = move == models.Lifecycle.ACTIVE and (
            self.indicator.lifecycle == models.Lifecycle.PROPOSED
        )
        if approving or move in (models.Lifecycle.REJECTED, models.Lifecycle.RETIRED):
            if not data.get("committee"):
                self.add_error("committee", "Select the committee that decided this")
            if not data.get("meeting"):
                self.add_error("meeting", "Enter the date of the meeting that decided this")
        if move in (models.Lifecycle.RETIRED, models.Lifecycle.SUSPENDED):
            if not data.get("ended_from"):
                self.add_error("ended_from", "Enter the first period it is no longer reported in")
            else:
                try:
                    data["ended_from"] = period_label(data["ended_from"], "ended_from")
                except forms.ValidationError as error:
                    self.add_error("ended_from", error)
        return data


class ActionForm(VersionedForm):
    class Meta:
        model = models.RemedialAction
        fields = ("period", "what", "who", "due", "state")
        widgets = {"what": widgets.Textarea(attrs={"rows": 3})}
        help_texts = {"due": "For example 2024-12-31", "period": "For example 2024/25 Q2"}

    def clean_period(self) -> str:
        return period_label(self.cleaned_data["period"], "period")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Data folder (.zip) or workbook (.xlsx)",
        help_text="The files of the data folder format, zipped, or the workbook with a sheet each.",
    )

    suffixes: tuple[str, ...] = (".zip", ".xlsx")
    wrong_kind = "Choose a .zip of a data folder or an .xlsx workbook"

    def clean_file(self) -> Any:
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // (1024 * 1024)} MB: the most kpiboard accepts is "
                f"{settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
            )
        if not upload.name.lower().endswith(self.suffixes):
            raise forms.ValidationError(self.wrong_kind)
        return upload


class NationalUploadForm(UploadForm):
    file = forms.FileField(
        label="National data file",
        help_text="Oflog's CSV, LG Inform's data.table JSON, or LG Inform's CSV export.",
    )
    metric = forms.CharField(
        label="Metric",
        required=False,
        help_text="The metric's code in the file, such as ASC1 (not needed if it holds one).",
    )

    suffixes = (".csv", ".json")
    wrong_kind = "Choose a .csv or .json file of national data"
