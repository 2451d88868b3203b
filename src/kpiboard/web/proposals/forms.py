"""Forms of the proposal cycle: a round, a proposal, a comment, a response and a decision. Each
form of an editable row carries its ``version`` (kpiboard.web.concurrency)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kpiboard.analysis.model import Unit
from kpiboard.analysis.periods import Period
from kpiboard.datafiles import schema
from kpiboard.datafiles.bounds import bounds_indicator, read_bound, refusal
from kpiboard.datafiles.refs import ref_problem
from kpiboard.web import widgets
from kpiboard.web.proposals import models
from kpiboard.web.register import models as register
from kpiboard.web.register.forms import IdsField, VersionedForm, period_label
from kpiboard.web.register.targets import TargetError, parse_target

DATE_HINT = "For example 2025-11-20"

#: The pages under a round's address (/proposals/<code>/edit/), which a proposal of that ref
#: could never be reached behind.
ROUND_PAGES = ("edit", "close", "reopen", "new", "history")


def round_periods(current: Period, keep: str = "") -> list[tuple[str, str]]:
    """The quarters a round can be circulated in: a year before the quarter being collected to
    two years after it (a round for next year is circulated in this year's Q2 reports), and the
    round's own choice wherever it is."""
    labels = [current.shift(step).label for step in range(-4, 9)]
    if keep and keep not in labels:
        labels.insert(0, keep)
    return [("", "Not chosen yet"), *((label, label) for label in labels)]


class RoundForm(VersionedForm):
    class Meta:
        model = models.ProposalRound
        fields = ("name", "code", "circulate_in")
        labels = {"name": "Name", "code": "Short id"}
        help_texts = {
            "name": "For example Strategic KPIs for 2025/26",
            "code": "Used in the address and the data folder, such as skpi-2025-26",
        }

    circulate_in = forms.ChoiceField(
        label="Circulated for comment in",
        required=False,
        help_text="The reporting period whose committee packs carry the proposals for comment",
    )

    def __init__(self, *args: Any, current: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        periods = round_periods(current, self.instance.circulate_in)
        self.fields["circulate_in"].choices = periods  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if ref_problem(code) is not None:
            raise forms.ValidationError(
                "Enter an id of 1 to 20 letters, digits, dots, hyphens or underscores, "
                "such as skpi-2025-26"
            )
        return code


class ProposalForm(VersionedForm):
    """A proposed strategic indicator, checked as the register's indicator form checks one."""

    target = forms.CharField(
        label="Proposed target",
        required=False,
        max_length=40,
        help_text="For example 85 or 85%; leave it empty for a baseline year",
    )

    class Meta:
        model = models.Proposal
        fields = (
            "ref",
            "name",
            "directorate",
            "description",
            "rationale",
            "unit",
            "decimals",
            "direction",
            "frequency",
            "target",
            "start",
            "owner",
            "committees",
            "ambitions",
            "national_definition",
        )
        labels = {"national_definition": "It has a national definition (neighbours can be shown)"}
        help_texts = {
            "start": "The first period it is reported, such as 2025/26 Q1",
            "description": "What is counted and how",
            "rationale": "Why it matters to the council's ambitions",
        }
        field_classes = {"committees": IdsField, "ambitions": IdsField}
        widgets = {
            "committees": forms.CheckboxSelectMultiple,
            "ambitions": forms.CheckboxSelectMultiple,
            "description": widgets.Textarea(attrs={"rows": 3}),
            "rationale": widgets.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, round: models.ProposalRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.round = round
        if self.instance.pk and self.instance.target is not None:
            self.initial["target"] = f"{self.instance.target.normalize():f}"

    def clean_ref(self) -> str:
        ref: str = self.cleaned_data["ref"].strip()
        register.validate_ref(ref)
        if ref in ROUND_PAGES:
            raise forms.ValidationError(
                f"{ref} is the name of one of the round's pages: choose another ref, such as 182"
            )
        taken = models.Proposal.objects.filter(round=self.round, ref=ref)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                f"{ref} is already a proposal in {self.round.name}: choose another ref"
            )
        return ref

    def clean_start(self) -> str:
        text = (self.cleaned_data.get("start") or "").strip()
        return period_label(text, "start") if text else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("target") or "").strip() if isinstance(data.get("target"), str) else ""
        if text and data.get("unit"):
            try:
                data["target"] = parse_target(
                    text, data.get("ref") or self.instance.ref or "the proposal", data["unit"]
                )
            except TargetError as error:
                self.add_error("target", str(error))
        elif not text:
            data["target"] = None
        if isinstance(data.get("target"), Decimal) and data.get("unit") in Unit._value2member_map_:
            impossible = refusal(self._bounds(data), data["target"])
            if impossible:
                self.add_error("target", f"Enter {impossible}")
        if data.get("target") is not None and not data.get("start"):
            self.add_error("start", "Enter the period the target applies from, such as 2025/26 Q1")
        return data

    def _bounds(self, data: dict[str, Any]) -> Any:
        """The bounds a target must keep: the register's indicator's, when the ref is one
        (adoption keeps its min and max), else the unit's."""
        ref = data.get("ref") or self.instance.ref or ""
        row = register.Indicator.objects.filter(ref=ref).first() if ref else None
        if row is None:
            return bounds_indicator(ref, Unit(data["unit"]))
        return bounds_indicator(
            ref,
            Unit(data["unit"]),
            read_bound(row.minimum),
            read_bound(row.maximum),
            row.integer,
            row.unit_label,
        )

    def _post_clean(self) -> None:
        target = self.cleaned_data.get("target")
        if isinstance(target, str):  # a target that did not read: leave the model's alone
            self.cleaned_data["target"] = self.instance.target
        super()._post_clean()  # type: ignore[misc]


class CommentForm(forms.Form):
    committee = forms.ModelChoiceField(queryset=register.Committee.objects.all(), label="Committee")
    meeting_date = forms.DateField(label="Meeting date", help_text=DATE_HINT)
    comment = forms.CharField(
        label="What the committee said",
        max_length=schema.COMMENTARY_LENGTH,
        widget=widgets.Textarea(attrs={"rows": 3}),
    )


class ResponseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.CharField(
        label="Officer's response",
        max_length=schema.COMMENTARY_LENGTH,
        widget=widgets.Textarea(attrs={"rows": 3}),
    )


class VersionForm(forms.Form):
    """A button's form (put forward, close, reopen): only the version it was shown at."""

    version = forms.IntegerField(widget=forms.HiddenInput)


DECISIONS = [
    ("adopted", "Adopt (as proposed, or amended below)"),
    ("deferred", "Defer"),
    ("dropped", "Drop"),
]

#: The fields a committee may amend on adoption, in the order the amendment text lists them.
AMENDABLE = (
    "name",
    "description",
    "unit",
    "decimals",
    "direction",
    "frequency",
    "target",
    "start",
    "owner",
    "committees",
    "ambitions",
    "national_definition",
)


class DecisionForm(ProposalForm):
    """A committee's decision; for an adoption, the proposal's fields prefilled to amend."""

    decision = forms.ChoiceField(label="Decision", choices=DECISIONS, widget=forms.RadioSelect)
    decided_by = forms.ModelChoiceField(
        queryset=register.Committee.objects.all(), label="Decided by"
    )
    decided_on = forms.DateField(label="Meeting date", help_text=DATE_HINT)
    amendment_reason = forms.CharField(
        label="Reason for the amendment",
        required=False,
        max_length=schema.DESCRIPTION_LENGTH,
        widget=widgets.Textarea(attrs={"rows": 2}),
        help_text="Needed when the committee adopts it with any field changed",
    )

    class Meta(ProposalForm.Meta):
        fields = ("decision", "decided_by", "decided_on", *AMENDABLE, "amendment_reason")  # type: ignore[assignment]
        labels = {
            **ProposalForm.Meta.labels,
            "name": "Name",
            "description": "Definition",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["decision", "decided_by", "decided_on", *AMENDABLE, "amendment_reason"])
        self.fields["target"].label = "Target"

    def changed_fields(self) -> dict[str, tuple[Any, Any]]:
        """Each amendable field the form changed: name -> (before, after), comparable values."""
        changed = {}
        for name in AMENDABLE:
            before = _comparable(name, _value_of(self.instance, name))
            after = _comparable(name, self.cleaned_data.get(name))
            if before != after:
                changed[name] = (before, after)
        return changed

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.amended: dict[str, tuple[Any, Any]] = {}
        if data.get("decision") == "adopted" and not self.errors:
            self.amended = self.changed_fields()
            if self.amended and not (data.get("amendment_reason") or "").strip():
                self.add_error(
                    "amendment_reason",
                    "Give the reason for the amendment: the committee changed "
                    + _listed(
                        [CHANGED_WORDS.get(name, LABELS[name].lower()) for name in self.amended]
                    ),
                )
        return data

    def _post_clean(self) -> None:
        """The proposal is left as it is: the decision's service applies what was decided."""


LABELS = {
    "name": "Name",
    "description": "Definition",
    "unit": "Unit",
    "decimals": "Decimals",
    "direction": "Direction",
    "frequency": "Frequency",
    "target": "Target",
    "start": "From",
    "owner": "Owner",
    "committees": "Committees",
    "ambitions": "Ambitions",
    "national_definition": "National definition",
}


#: A field in the words of "the committee changed ...", where its label alone would not do.
CHANGED_WORDS = {"start": "the start period", "national_definition": "the national definition"}


def _listed(words: list[str]) -> str:
    """Words joined as a sentence lists them.

    >>> _listed(["target", "the start period", "owner"])
    'target, the start period and owner'
    """
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _value_of(instance: models.Proposal, name: str) -> Any:
    if name in ("committees", "ambitions"):
        return list(getattr(instance, name).all()) if instance.pk else []
    return getattr(instance, name)


def _comparable(name: str, value: Any) -> Any:
    if name in ("committees", "ambitions"):
        return tuple(sorted(str(item) for item in value or ()))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    return str(value).strip()


def amendment_words(changed: dict[str, tuple[Any, Any]]) -> str:
    """What an amended adoption changed, as the minutes would say it.

    >>> amendment_words({"target": ("85", "80"), "start": ("2025/26 Q1", "2025/26 Q2")})
    'Target 85 → 80; from 2025/26 Q1 → 2025/26 Q2'
    """
    parts: list[str] = []
    for name, (before, after) in changed.items():
        label = LABELS[name]
        if isinstance(before, tuple):
            before, after = ", ".join(before) or "none", ", ".join(after) or "none"
        elif isinstance(before, bool):
            before, after = ("yes" if before else "no"), ("yes" if after else "no")
        before, after = before or "none", after or "none"
        parts.append(f"{label if not parts else label[:1].lower() + label[1:]} {before} → {after}")
    return "; ".join(parts)
